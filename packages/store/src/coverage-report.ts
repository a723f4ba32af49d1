import { K2Error, MICROS_PER_DAY, type TimeInput, toIso, toMicros } from '@k2/core'
import { liveFiles } from './iceberg/manifests.js'
import type { TableCore } from './table-core.js'

/** The answer to "is this day complete?" for one exchange and symbol. */
export interface CoverageReport {
  exchange: string
  symbol: string
  /** The UTC day, `YYYY-MM-DD`. */
  day: string
  /** True when the symbol was subscribed for the whole day and every gap found was healed. */
  complete: boolean
  /** Micros of the day covered by subscribed intervals. */
  coveredMicros: number
  /** Parts of the day with no subscription, as [start, end) epoch µs. */
  uncovered: [number, number][]
  /** Gaps detected that day, each with its final state (`healed` wins over `unhealed` over `open`). */
  gaps: { fromId: string; toId: string; state: string; healedBy: string | null; detectedTs: number }[]
  /** Trade-id ranges received that day. */
  received: { fromId: string; toId: string; start: number; end: number }[]
}

const RANK: Record<string, number> = { open: 0, unhealed: 1, healed: 2 }

function dayStart(day: TimeInput): number {
  const us = toMicros(day)
  return us - (((us % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY)
}

/** Reads bronze.coverage and answers whether `day` is complete for `exchange`/`symbol`. */
export async function coverageReport(
  table: TableCore<'bronze.coverage'>,
  q: { exchange: string; symbol: string; day: TimeInput },
): Promise<CoverageReport> {
  if (typeof q.exchange !== 'string' || typeof q.symbol !== 'string') {
    throw new K2Error(
      'VALIDATION',
      'coverage() needs { exchange, symbol, day }, e.g. { exchange: "binance", symbol: "BTC-USDT", day: "2024-01-31" }',
    )
  }
  const start = dayStart(q.day)
  const end = start + MICROS_PER_DAY
  const dayIndex = start / MICROS_PER_DAY
  // Intervals live in the partition of the day they started: read that day and earlier ones.
  const snap = await table.snapshot()
  const files = (await liveFiles(snap)).filter(
    (l) => l.file.partition.exchange === q.exchange && Number(l.file.partition.start_ts_day) <= dayIndex,
  )
  const rows = (await table.readRows(files, snap ? BigInt(snap['snapshot-id']) : null)) as {
    symbol: string | null
    kind: string
    start_ts: number
    end_ts: number
    from_id: string | null
    to_id: string | null
    state: string | null
    healed_by: string | null
  }[]
  const mine = rows.filter((r) => r.symbol === q.symbol && r.end_ts >= start && r.start_ts < end)
  const intervals = mine
    .filter((r) => r.kind === 'subscribed')
    .map((r) => [Math.max(r.start_ts, start), Math.min(r.end_ts, end)] as [number, number])
    .sort((a, b) => a[0] - b[0])
  const uncovered: [number, number][] = []
  let cursor = start
  let covered = 0
  for (const [a, b] of intervals) {
    if (a > cursor) uncovered.push([cursor, a])
    if (b > cursor) {
      covered += b - Math.max(a, cursor)
      cursor = b
    }
  }
  if (cursor < end) uncovered.push([cursor, end])
  const gapMap = new Map<string, CoverageReport['gaps'][number]>()
  for (const r of mine.filter((x) => x.kind === 'gap')) {
    const key = `${r.from_id}\u0000${r.to_id}`
    const prev = gapMap.get(key)
    const state = r.state ?? 'open'
    if (!prev || (RANK[state] ?? 0) > (RANK[prev.state] ?? 0)) {
      gapMap.set(key, { fromId: r.from_id ?? '', toId: r.to_id ?? '', state, healedBy: r.healed_by, detectedTs: r.start_ts })
    }
  }
  const gaps = [...gapMap.values()]
  return {
    exchange: q.exchange,
    symbol: q.symbol,
    day: toIso(start).slice(0, 10),
    complete: uncovered.length === 0 && gaps.every((g) => g.state === 'healed'),
    coveredMicros: covered,
    uncovered,
    gaps,
    received: mergeRanges(
      mine
        .filter((r) => r.kind === 'received')
        .map((r) => ({ fromId: r.from_id ?? '', toId: r.to_id ?? '', start: r.start_ts, end: r.end_ts }))
        .sort((a, b) => a.start - b.start || compareIds(a.fromId, b.fromId)),
    ),
  }
}

const DIGITS = /^\d+$/

function compareIds(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0
  return a < b ? -1 : a > b ? 1 : 0
}

/** Joins ranges written at successive checkpoints: the next starts at the id after the previous end. */
function mergeRanges(ranges: CoverageReport['received']): CoverageReport['received'] {
  const out: CoverageReport['received'] = []
  for (const r of ranges) {
    const prev = out.at(-1)
    if (prev && DIGITS.test(prev.toId) && DIGITS.test(r.fromId) && BigInt(r.fromId) === BigInt(prev.toId) + 1n && r.start >= prev.end) {
      prev.toId = r.toId
      prev.end = Math.max(prev.end, r.end)
    } else out.push({ ...r })
  }
  return out
}
