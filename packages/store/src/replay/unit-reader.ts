import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error, type TableName } from '@k2/core'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { sqlString } from '../write/sql-literal.js'
import type { ChannelCodec, UnitContext } from './channel-codec.js'
import { ChunkQueue } from './chunk-queue.js'
import type { ReplayEvent } from './replay-events.js'
import type { ReplayPlan } from './replay-options.js'

/** One (file, exchange, symbol) of one channel: a stream already in replay order. */
export interface ReadUnit {
  readonly codec: ChannelCodec
  readonly path: string
  readonly snapshotId: bigint | null
  readonly ctx: UnitContext
  /** No event of this unit is earlier (from the file's column bounds). */
  readonly lowerTs: number
}

export interface UnitDeps {
  duckdb: LakeDuckDB
  /** Checks a data file (present, intact) before it is read. */
  checkFile(table: TableName, snapshotId: bigint | null, path: string): Promise<void>
}

/**
 * Reads one unit on its own DuckDB connection in streaming mode, `prefetch` decoded chunks ahead of
 * the merge, and hands over its events in replay order. DuckDB's streaming mode reports a failure
 * after the first chunk as an early end, so the rows read are checked against a count taken first.
 */
export function readUnit(deps: UnitDeps, unit: ReadUnit, plan: ReplayPlan): ChunkQueue<ReplayEvent[]> {
  const queue = new ChunkQueue<ReplayEvent[]>(plan.prefetch)
  const { codec, ctx } = unit
  const f = codec.filters(plan, ctx, 3)
  const where = ['exchange = $1', 'symbol = $2', ...f.sql].join(' AND ')
  const params = [ctx.exchange, ctx.symbol, ...f.params]
  const from = `read_parquet(${sqlString(unit.path)})`
  const produce = async (conn: DuckDBConnection) => {
    await deps.checkFile(codec.table, unit.snapshotId, unit.path)
    await conn.run("SET TimeZone = 'UTC'")
    const counted = await conn.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${from} WHERE ${where}`, params)
    const expected = counted.getRows()[0]?.[0] as number
    const result = await conn.stream(`SELECT ${codec.columns} FROM ${from} WHERE ${where}`, params)
    const run: unknown[] = []
    let runTs = Number.NEGATIVE_INFINITY
    let read = 0
    for (;;) {
      const chunk = await result.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      read += chunk.rowCount
      const rows = codec.decode(chunk, ctx)
      const out: ReplayEvent[] = []
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]
        const t = codec.tsOf(r)
        if (t !== runTs) {
          if (t < runTs) throw unsorted(unit)
          if (run.length > 0) codec.settle(run, ctx, out)
          run.length = 0
          runTs = t
        }
        run.push(r)
      }
      if (out.length > 0 && !(await queue.put(out))) return
    }
    if (read !== expected) {
      throw new K2Error(
        'CORRUPT_TABLE',
        `${codec.table}: reading ${unit.path} stopped after ${read} of ${expected} rows of ${ctx.exchange} ${ctx.symbol}; check the file (lake.table('${codec.table}').scan() reports a damaged one)`,
      )
    }
    const out: ReplayEvent[] = []
    if (run.length > 0) codec.settle(run, ctx, out)
    if (out.length > 0) await queue.put(out)
  }
  deps.duckdb
    .with(produce)
    .then(() => queue.end())
    .catch((err) =>
      queue.fail(
        K2Error.isInstance(err) ? err : new K2Error('IO', `replay: reading ${unit.path} failed: ${(err as Error).message}`, { cause: err }),
      ),
    )
  return queue
}

function unsorted(unit: ReadUnit): K2Error {
  return new K2Error(
    'UNSUPPORTED',
    `${unit.codec.table}: ${unit.path} is not sorted by (symbol, time) as K2 writes it; rewrite it with lake.table('${unit.codec.table}').compact() before replaying`,
  )
}
