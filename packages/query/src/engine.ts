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

/** One session of an engine. The pool gives it one query at a time. */
export interface EngineConnection {
  /**
   * Runs one read-only statement (SELECT) with its parameters bound and yields its result in
   * batches, at least one (empty for no rows, so the columns are known); anything else is
   * rejected with `K2Error('VALIDATION')`.
   */
  stream(sql: string, params: readonly Param[]): AsyncIterable<EngineBatch>
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
