import type { ColumnType } from '@k2/core'
import type { Param } from './compiled-query.js'

/** How a result column's values come back to JavaScript. */
export type ValueKind = 'string' | 'double' | 'integer' | 'timestamp' | 'boolean' | 'json'

/**
 * One batch of a result, column-major: strings, numbers (integers as numbers, times as epoch µs),
 * booleans, or JSON-able values for nested types; null for SQL NULL.
 */
export interface EngineBatch {
  readonly names: readonly string[]
  readonly kinds: readonly ValueKind[]
  readonly columns: readonly (readonly unknown[])[]
  readonly rowCount: number
}

/** One column of a table to load: its name, its lake type and its values (null for SQL NULL). */
export interface LoadColumn {
  readonly name: string
  readonly type: ColumnType
  readonly values: readonly Param[]
}

/** One session of an engine. The pool gives it one query at a time. */
export interface EngineConnection {
  /**
   * Runs one read-only statement (SELECT) with its parameters bound and yields its result in
   * batches, at least one (empty for no rows, so the columns are known); anything else is
   * rejected with `K2Error('VALIDATION')`.
   */
  stream(sql: string, params: readonly Param[]): AsyncIterable<EngineBatch>
  /**
   * Creates table `name` in the engine's database (replacing one of that name), visible to all its
   * connections, with `columns` of the lake's types and their `values` (column-major; times as epoch
   * µs). `name` is made by K2 (letters, digits, `_`); the values are checked. For `memoryCatalog`.
   */
  load(name: string, columns: readonly LoadColumn[]): Promise<void>
  /** Asks the running statement to stop (its stream then fails). */
  interrupt(): void
  /** Throws when the connection cannot serve queries any more. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** A SQL engine: DuckDB native (`createDuckDBEngine`) or duckdb-wasm (`createDuckDBWasmEngine`). */
export interface QueryEngine {
  readonly name: string
  connect(): Promise<EngineConnection>
  close(): Promise<void>
}
