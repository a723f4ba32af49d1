import type { TableName } from '@k2/core'
import type { RecordBatch, Table } from 'apache-arrow'
import type { CompiledQuery } from './compiled-query.js'
import type { Lineage } from './lineage.js'
import type { SelectQueryNode } from './select-query-node.js'

/** A materialized result: plain rows (times as epoch µs), the Arrow table, and where it came from. */
export interface QueryResult<R> {
  readonly rows: R[]
  readonly table: Table
  readonly lineage: Lineage
}

/** Why one data file was read or skipped. */
export interface ExplainFile {
  readonly path: string
  readonly recordCount: number
  readonly chosen: boolean
  /** For a skipped file, each condition it cannot satisfy; for a chosen one, empty. */
  readonly reasons: readonly string[]
}

export interface ExplainTable {
  readonly table: TableName
  readonly snapshotId: string | null
  readonly files: readonly ExplainFile[]
}

/** What `explain()` returns: the SQL and params that would run, and each table's file choice. */
export interface Explain extends CompiledQuery {
  readonly tables: readonly ExplainTable[]
}

/** What a builder needs from the layer that made it: planning and execution. */
export interface QueryContext {
  /** Largest LIMIT/OFFSET accepted. */
  readonly maxLimit: number
  /** With `explain`, skipped files carry the reasons (formatting them costs: `toSQL()` leaves it off). */
  plan(node: SelectQueryNode, explain: boolean): Promise<Explain>
  execute<R>(node: SelectQueryNode): Promise<QueryResult<R>>
  batches(node: SelectQueryNode): AsyncIterable<RecordBatch>
}
