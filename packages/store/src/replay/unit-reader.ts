import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error, type TableName, VENUES } from '@k2/core'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { sqlString } from '../write/sql-literal.js'
import type { ChannelCodec, UnitContext } from './channel-codec.js'
import { ChunkQueue } from './chunk-queue.js'
import type { ReplayEvent } from './replay-events.js'
import type { ReplayPlan } from './replay-options.js'

/** One data file of one channel, read as one stream in replay order. */
export interface ReadUnit {
  readonly codec: ChannelCodec
  readonly path: string
  readonly snapshotId: bigint | null
  readonly ctx: UnitContext
  /** No event of this unit is earlier (from the file's column bounds). */
  readonly lowerTs: number
  /** The file's row count when every row is read (else the reader counts the rows it should get). */
  readonly wholeFile: number | null
}

export interface UnitDeps {
  duckdb: LakeDuckDB
  /** Checks a data file (present, intact) before it is read. */
  checkFile(table: TableName, snapshotId: bigint | null, path: string): Promise<void>
}

const list = (values: readonly string[]) => `[${values.map(sqlString).join(', ')}]`

/**
 * Reads one data file on its own DuckDB connection in streaming mode: DuckDB orders the file by
 * time (it is stored by symbol, then time, so this is one sort of one file: memory bounded by the
 * file, not by the range), and the reader decodes `prefetch` chunks ahead of the merge, settling
 * runs of equal time into the replay order. DuckDB's streaming mode reports a failure after the
 * first chunk as an early end, so the rows read are checked against the manifest's count (or a
 * count taken first, when only some rows are read).
 */
export function readUnit(deps: UnitDeps, unit: ReadUnit, plan: ReplayPlan): ChunkQueue<ReplayEvent[]> {
  const queue = new ChunkQueue<ReplayEvent[]>(plan.prefetch)
  const { codec, ctx } = unit
  const f = codec.filters(plan, ctx, 1)
  const conds = [...f.sql]
  if (plan.symbols) conds.push(`symbol IN (SELECT unnest(${list(ctx.symbols)}))`)
  if (plan.exchanges) conds.push(`exchange IN (SELECT unnest(${list([...plan.exchanges])}))`)
  const where = conds.join(' AND ')
  const from = `read_parquet(${sqlString(unit.path)})`
  const keys = `list_position(${list(VENUES)}, exchange)::UTINYINT, list_position(${list(ctx.symbols)}, symbol)::USMALLINT`
  const produce = async (conn: DuckDBConnection) => {
    await deps.checkFile(codec.table, unit.snapshotId, unit.path)
    await conn.run("SET TimeZone = 'UTC'")
    let expected = unit.wholeFile
    if (expected === null) {
      const counted = await conn.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${from} WHERE ${where}`, f.params)
      expected = counted.getRows()[0]?.[0] as number
    }
    if (expected === 0) return
    const result = await conn.stream(`SELECT ${keys}, ${codec.columns} FROM ${from} WHERE ${where} ORDER BY "${codec.orderBy}"`, f.params)
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
          if (run.length > 0) codec.settle(run, out)
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
        `${codec.table}: reading ${unit.path} stopped after ${read} of ${expected} rows; check the file (lake.table('${codec.table}').scan() reports a damaged one)`,
      )
    }
    const out: ReplayEvent[] = []
    if (run.length > 0) codec.settle(run, out)
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
