import type { TableName } from '@k2/core'
import type { Lake, SnapshotInfo } from '@k2/store'
import { clock, price, table } from './text.js'

type History = ReadonlyMap<TableName, readonly SnapshotInfo[]>

/**
 * The same queries now and at an earlier snapshot (`asOf`): silver.trades at this run's first
 * commit, and gold.ohlcv at the roll-up before this run (a rerun) — the lake keeps every commit.
 */
export async function timeTravel(
  lake: Lake,
  before: History,
  after: History,
  pair: { exchange: string; symbol: string },
): Promise<string[]> {
  const rows: Record<string, unknown>[] = []
  const silverBefore = before.get('silver.trades')?.length ?? 0
  const firstCommit = after.get('silver.trades')?.[silverBefore]
  const trades = async (asOf?: bigint) => {
    let q = lake.query('silver.trades')
    if (asOf !== undefined) q = q.asOf(asOf)
    const [r] = await q.aggregate((f) => ({ n: f.count(), last: f.max('ts') })).rows()
    return { rows: Number(r?.n ?? 0), last: `last trade ${clock(r?.last)}` }
  }
  if (firstCommit) {
    rows.push({
      table: 'silver.trades',
      'as of': `${clock(firstCommit.timestamp, true)}, this run's first commit`,
      ...(await trades(firstCommit.snapshotId)),
    })
  }
  rows.push({ table: 'silver.trades', 'as of': 'now', ...(await trades()) })

  const previousRollup = before.get('gold.ohlcv')?.at(-1)
  const candles = async (asOf?: bigint) => {
    let total = lake.query('gold.ohlcv')
    let last = lake.query('gold.ohlcv').where({ ...pair, timeframe: '1m' })
    if (asOf !== undefined) {
      total = total.asOf(asOf)
      last = last.asOf(asOf)
    }
    const [n] = await total.aggregate((f) => ({ n: f.count() })).rows()
    const [c] = await last.orderBy('start', 'desc').limit(1).rows()
    return { rows: Number(n?.n ?? 0), last: c ? `${pair.symbol} 1m ${clock(c.start)} closed ${price(c.close)}` : '' }
  }
  if (previousRollup) {
    rows.push({
      table: 'gold.ohlcv',
      'as of': `${clock(previousRollup.timestamp, true)}, the roll-up before this run`,
      ...(await candles(previousRollup.snapshotId)),
    })
  }
  rows.push({ table: 'gold.ohlcv', 'as of': 'now', ...(await candles()) })
  return ['Time travel: the same queries at an earlier snapshot', ...table(rows)]
}
