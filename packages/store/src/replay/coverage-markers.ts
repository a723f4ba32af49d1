import type { Exchange, SnapshotFiles } from '@k2/core'
import { isExchange } from '@k2/core'
import { tableSpec } from '../iceberg/table-spec.js'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { readRows } from '../read-rows.js'
import { compareEvents } from './event-order.js'
import type { DisconnectEvent } from './replay-events.js'
import type { ReplayPlan } from './replay-options.js'

/**
 * Disconnect markers from bronze.coverage (a small table, read whole at the pinned snapshot): a
 * `disconnected` marker for each hole between an exchange's connected intervals, a `gap` marker for
 * each trade-id gap left open or unhealed. An exchange with no connected interval (imported data)
 * gets no disconnect markers: the lake does not know when it was connected.
 */
export async function coverageMarkers(
  duckdb: LakeDuckDB,
  snap: SnapshotFiles,
  plan: ReplayPlan,
  checkFile: (path: string) => Promise<void>,
): Promise<DisconnectEvent[]> {
  for (const f of snap.files) await checkFile(f.path)
  const rows = await duckdb.with((conn) =>
    readRows(
      conn,
      tableSpec('bronze.coverage'),
      snap.files.map((f) => ({ path: f.path, size: f.fileSizeBytes })),
      { table: 'bronze.coverage', snapshotId: snap.snapshotId },
    ),
  )
  const wanted = (e: unknown): e is Exchange => isExchange(e) && (!plan.exchanges || plan.exchanges.has(e))
  const inRange = (ts: number) => ts >= plan.from && ts < plan.to
  const out: DisconnectEvent[] = []
  const connected = new Map<Exchange, [number, number][]>()
  for (const r of rows) {
    const exchange = r.exchange
    if (!wanted(exchange)) continue
    const start = r.start_ts as number
    const end = r.end_ts as number
    if (r.kind === 'connected') {
      const list = connected.get(exchange) ?? []
      list.push([start, end])
      connected.set(exchange, list)
    } else if (r.kind === 'gap' && (r.state === 'open' || r.state === 'unhealed') && typeof r.symbol === 'string') {
      if ((plan.symbols && !plan.symbols.has(r.symbol)) || !inRange(start)) continue
      out.push({
        type: 'disconnect',
        exchange,
        symbol: r.symbol,
        ts: start,
        until: end,
        reason: 'gap',
        ...(typeof r.from_id === 'string' ? { fromId: r.from_id } : {}),
        ...(typeof r.to_id === 'string' ? { toId: r.to_id } : {}),
      })
    }
  }
  for (const [exchange, intervals] of connected) {
    intervals.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let reach = intervals[0]?.[1] ?? 0
    for (const [start, end] of intervals.slice(1)) {
      if (start > reach && inRange(reach))
        out.push({ type: 'disconnect', exchange, symbol: null, ts: reach, until: start, reason: 'disconnected' })
      reach = Math.max(reach, end)
    }
  }
  return out.sort(compareEvents)
}
