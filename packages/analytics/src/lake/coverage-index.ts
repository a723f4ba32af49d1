import { MICROS_PER_DAY, MICROS_PER_HOUR } from '@k2/core'
import type { Lake } from '@k2/store'

/**
 * Whether a candle's bucket is complete, from bronze.coverage (docs/rollup.md, "complete"):
 *
 * - From the first `subscribed` interval of an exchange/symbol on (its own, or connection-wide with
 *   `symbol: null`), every instant of a bucket must lie in a subscribed interval. Before it — and
 *   for a symbol with no subscribed interval at all, e.g. trades loaded with `importTrades`, which
 *   writes no coverage — nothing was recorded live, so the trades are the exchange's history
 *   files, and the bucket counts as complete.
 * - A gap whose final state is `open` or `unhealed` (`healed` wins over `unhealed` over `open`, as
 *   in `lake.coverage()`) makes every bucket overlapping it incomplete. Its ids are missing, so its
 *   time is taken from its neighbours in silver.trades (exchange time): the last trade before
 *   `from_id` and the first after `to_id` (in `strlen(id), id` order), searched from one day before
 *   to one hour after the gap was detected; a missing neighbour is replaced by the detection time.
 * - Coverage times are on the receive clock, buckets on exchange time: the two differ by the feed's
 *   latency (milliseconds), so a bucket that ends within that latency of a disconnect may be judged
 *   by the wrong side of it.
 */

export interface CoverageIndex {
  /** True when [start, end) (exchange time, µs) is complete for exchange/symbol. */
  complete(exchange: string, symbol: string, start: number, end: number): boolean
  /** Rows read from bronze.coverage. */
  rows: number
}

type Interval = [number, number]

interface CoverageRow {
  exchange: string
  symbol: string | null
  kind: string
  start_ts: number
  end_ts: number
  from_id: string | null
  to_id: string | null
  state: string | null
}

const RANK: Record<string, number> = { open: 0, unhealed: 1, healed: 2 }
const key = (exchange: string, symbol: string | null) => `${exchange}\u0000${symbol ?? ''}`

function merge(list: Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => a[0] - b[0])
  const out: Interval[] = []
  for (const [a, b] of sorted) {
    const last = out.at(-1)
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

/** Loads the coverage of `exchange` (or every exchange) at a snapshot of bronze.coverage and of silver.trades. */
export async function loadCoverage(
  lake: Lake,
  at: { exchange?: string | null; coverage?: bigint | null; trades?: bigint | null } = {},
): Promise<CoverageIndex> {
  let q = lake.query('bronze.coverage').where({ kind: ['subscribed', 'gap'] })
  if (at.exchange) q = q.where({ exchange: at.exchange })
  if (at.coverage !== undefined && at.coverage !== null) q = q.asOf(at.coverage)
  const rows = (await q.select('exchange', 'symbol', 'kind', 'start_ts', 'end_ts', 'from_id', 'to_id', 'state').rows()) as CoverageRow[]
  const subscribed = new Map<string, Interval[]>()
  const gaps = new Map<string, CoverageRow>()
  for (const r of rows) {
    if (r.kind === 'subscribed') {
      const k = key(r.exchange, r.symbol)
      subscribed.set(k, [...(subscribed.get(k) ?? []), [r.start_ts, r.end_ts]])
    } else if (r.symbol !== null) {
      const k = `${key(r.exchange, r.symbol)}\u0000${r.from_id}\u0000${r.to_id}`
      const prev = gaps.get(k)
      if (!prev || (RANK[r.state ?? 'open'] ?? 0) > (RANK[prev.state ?? 'open'] ?? 0)) gaps.set(k, r)
    }
  }
  const open = [...gaps.values()].filter((g) => g.state !== 'healed')
  const gapRanges = new Map<string, Interval[]>()
  const windows = await gapWindows(lake, open, at.trades ?? null)
  open.forEach((g, i) => {
    const k = key(g.exchange, g.symbol)
    gapRanges.set(k, [...(gapRanges.get(k) ?? []), windows[i] as Interval])
  })
  const cache = new Map<string, { first: number; covered: Interval[] }>()
  const coverageOf = (exchange: string, symbol: string) => {
    const k = key(exchange, symbol)
    let c = cache.get(k)
    if (!c) {
      const covered = merge([...(subscribed.get(k) ?? []), ...(subscribed.get(key(exchange, null)) ?? [])])
      c = { first: covered[0]?.[0] ?? Number.POSITIVE_INFINITY, covered }
      cache.set(k, c)
    }
    return c
  }
  return {
    rows: rows.length,
    complete(exchange, symbol, start, end) {
      for (const [lo, hi] of gapRanges.get(key(exchange, symbol)) ?? []) if (start <= hi && lo < end) return false
      const { first, covered } = coverageOf(exchange, symbol)
      if (end <= first) return true
      const from = Math.max(start, first)
      // The last merged interval starting at or before `from` must reach `end`.
      let lo = 0
      let hi = covered.length - 1
      let found = -1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        if ((covered[mid] as Interval)[0] <= from) {
          found = mid
          lo = mid + 1
        } else hi = mid - 1
      }
      return found >= 0 && (covered[found] as Interval)[1] >= end
    },
  }
}

/** Each open gap's span in exchange time, from its neighbours in silver.trades (see the header). */
async function gapWindows(lake: Lake, gaps: CoverageRow[], trades: bigint | null): Promise<Interval[]> {
  if (gaps.length === 0) return []
  const detected = gaps.map((g) => g.start_ts)
  const before = MICROS_PER_DAY
  const after = MICROS_PER_HOUR
  const rows = await lake.sql`
    WITH g AS (
      SELECT unnest(${gaps.map((g) => g.exchange)}::VARCHAR[]) AS ex, unnest(${gaps.map((g) => g.symbol ?? '')}::VARCHAR[]) AS sym,
        unnest(${gaps.map((g) => g.from_id ?? '')}::VARCHAR[]) AS f, unnest(${gaps.map((g) => g.to_id ?? '')}::VARCHAR[]) AS t,
        unnest(${detected}::BIGINT[]) AS d, unnest(${gaps.map((_, i) => i)}::BIGINT[]) AS i
    )
    SELECT g.i::DOUBLE AS i,
      max(epoch_us(x.ts)) FILTER (WHERE strlen(x.id) < strlen(g.f) OR (strlen(x.id) = strlen(g.f) AND x.id < g.f))::DOUBLE AS lo,
      min(epoch_us(x.ts)) FILTER (WHERE strlen(x.id) > strlen(g.t) OR (strlen(x.id) = strlen(g.t) AND x.id > g.t))::DOUBLE AS hi
    FROM g JOIN ${lake.ref('silver.trades', trades ?? undefined)} AS x
      ON x.exchange = g.ex AND x.symbol = g.sym AND epoch_us(x.ts) BETWEEN g.d - ${before}::BIGINT AND g.d + ${after}::BIGINT
    WHERE x.ts >= make_timestamp(${Math.min(...detected) - before}::BIGINT)::TIMESTAMPTZ
      AND x.ts <= make_timestamp(${Math.max(...detected) + after}::BIGINT)::TIMESTAMPTZ
    GROUP BY g.i`.rows()
  const found = new Map(rows.map((r) => [Number(r.i), r]))
  return gaps.map((g, i) => {
    const r = found.get(i)
    const lo = r?.lo === null || r?.lo === undefined ? g.start_ts : Number(r.lo)
    const hi = r?.hi === null || r?.hi === undefined ? g.start_ts : Number(r.hi)
    return [Math.min(lo, hi), Math.max(lo, hi)]
  })
}
