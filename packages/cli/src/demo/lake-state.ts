import type { TableName } from '@k2/core'
import type { Lake, SnapshotInfo } from '@k2/store'

/** The tables the demo writes, in the order it reports them. */
export const DEMO_TABLES: readonly TableName[] = ['bronze.frames', 'bronze.dlq', 'bronze.coverage', 'silver.trades', 'gold.ohlcv']

/** Where the lake's trades end: the last id per exchange/symbol and the last exchange time (ms). */
export interface TradesEnd {
  lastIds: Map<string, number>
  firstTradeMs: number | null
  lastTradeMs: number | null
  trades: number
}

export const venueKey = (exchange: string, symbol: string) => `${exchange} ${symbol}`

export async function tradesEnd(lake: Lake): Promise<TradesEnd> {
  const end: TradesEnd = { lastIds: new Map(), firstTradeMs: null, lastTradeMs: null, trades: 0 }
  if (!(await lake.hasTable('silver.trades'))) return end
  const rows = (await lake.sql`
    select exchange, symbol, max(cast(id as hugeint)) as last_id, min(ts) as first_ts, max(ts) as last_ts, count(*) as trades
    from ${lake.ref('silver.trades')} group by exchange, symbol`.rows()) as {
    exchange: string
    symbol: string
    last_id: number | bigint
    first_ts: number
    last_ts: number
    trades: number | bigint
  }[]
  for (const r of rows) {
    end.lastIds.set(venueKey(r.exchange, r.symbol), Number(r.last_id))
    end.firstTradeMs = Math.min(end.firstTradeMs ?? Number.POSITIVE_INFINITY, Math.floor(Number(r.first_ts) / 1000))
    end.lastTradeMs = Math.max(end.lastTradeMs ?? 0, Math.floor(Number(r.last_ts) / 1000))
    end.trades += Number(r.trades)
  }
  return end
}

/** Each table's snapshots, oldest first (none for a table not created yet). */
export async function snapshots(lake: Lake): Promise<Map<TableName, SnapshotInfo[]>> {
  const out = new Map<TableName, SnapshotInfo[]>()
  for (const name of DEMO_TABLES) out.set(name, (await lake.hasTable(name)) ? await (await lake.table(name)).history() : [])
  return out
}

/** The ids silver.trades holds for exchange/symbol from `fromId` on, ascending, duplicates kept. */
export async function storedIdsFrom(lake: Lake, exchange: string, symbol: string, fromId: number): Promise<number[]> {
  const rows = (await lake.sql`
    select cast(id as hugeint) as id from ${lake.ref('silver.trades')}
    where exchange = ${exchange} and symbol = ${symbol} and cast(id as hugeint) >= ${fromId}
    order by 1`.rows()) as { id: number | bigint }[]
  return rows.map((r) => Number(r.id))
}
