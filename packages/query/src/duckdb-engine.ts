import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  DuckDBTypeId,
  INTEGER,
  JsonDuckDBValueConverter,
  LIST,
  listValue,
  StatementType,
  VARCHAR,
} from '@duckdb/node-api'
import type { ColumnType } from '@k2/core'
import { K2Error } from '@k2/core'
import { type Param, quoteIdentifier } from './compiled-query.js'
import type { EngineBatch, EngineConnection, LoadColumn, QueryEngine, ValueKind } from './engine.js'
import { loadSelect } from './load-sql.js'

export interface DuckDBEngineOptions {
  /** DuckDB's `memory_limit` for the whole engine, e.g. `'1GB'` (default `'1GB'`); larger work spills or fails. */
  memoryLimit?: string
  /** Worker threads (default: DuckDB's choice, the core count). */
  threads?: number
  /** Where DuckDB may spill when over its memory limit (default: nowhere, i.e. fail with `K2Error('CAPACITY')` rather than write into the working directory). */
  tempDirectory?: string
  /**
   * An existing DuckDB instance to open connections on (e.g. one the lake already has). Its settings
   * are left as they are (memoryLimit, threads and tempDirectory are ignored) and `close()` does not close it.
   */
  instance?: DuckDBInstance
}

const MEMORY_RE = /^\d{1,6}(\.\d{1,3})?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/

/**
 * The native engine: one in-memory DuckDB (Parquet and ICU built in, works offline) whose
 * connections the pool hands out. Each connection reads in UTC and runs only SELECT statements.
 *
 * @example
 * ```ts
 * const layer = createQueryLayer(catalog, { engine: await createDuckDBEngine({ memoryLimit: '2GB' }) })
 * ```
 */
export async function createDuckDBEngine({
  memoryLimit = '1GB',
  threads,
  tempDirectory,
  instance: shared,
}: DuckDBEngineOptions = {}): Promise<QueryEngine> {
  if (!MEMORY_RE.test(memoryLimit))
    throw new K2Error('VALIDATION', `memoryLimit must look like '512MB' or '2GB', got ${JSON.stringify(memoryLimit)}`)
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024)) {
    throw new K2Error('VALIDATION', `threads must be an integer from 1 to 1024, got ${threads}`)
  }
  const config: Record<string, string> = { memory_limit: memoryLimit, autoinstall_known_extensions: 'false' }
  if (threads !== undefined) config.threads = String(threads)
  config.temp_directory = tempDirectory ?? ''
  const instance = shared ?? (await DuckDBInstance.create(':memory:', config))
  if (!shared) {
    // Lake data files are immutable (a rewrite is a new file), so their Parquet footers can be
    // cached: a point query then skips re-reading and parsing the footer (p95 -1 to -2 ms).
    const conn = await instance.connect()
    try {
      await conn.run('SET GLOBAL parquet_metadata_cache = true')
    } finally {
      conn.closeSync()
    }
  }
  let closed = false
  return {
    name: 'duckdb',
    async connect() {
      if (closed) throw new K2Error('CLOSED', 'the DuckDB engine is closed')
      const conn = await instance.connect()
      await conn.run("SET TimeZone = 'UTC'")
      return new NativeConnection(conn)
    },
    async close() {
      closed = true
      if (!shared) instance.closeSync()
    },
  }
}

class NativeConnection implements EngineConnection {
  readonly #conn: DuckDBConnection
  readonly #prepared = new Map<string, DuckDBPreparedStatement>()
  /** Set by interrupt(): the running stream fails at its next chunk instead of ending early. */
  #interrupted = false

  constructor(conn: DuckDBConnection) {
    this.#conn = conn
  }

  /**
   * Runs the statement to completion, then yields its chunks. Not DuckDB's streaming mode: there,
   * `fetchChunk()` reports a failure after the first chunk (an interrupt, the memory limit, an
   * unreadable file, a bad cast) as an empty chunk, which reads as the end of a shortened result.
   * A materialized run rejects with the error; DuckDB holds the result (within its memory limit)
   * while the chunks are read and converted one at a time.
   */
  async *stream(sql: string, params: readonly Param[]): AsyncIterable<EngineBatch> {
    this.#interrupted = false
    const stmt = await this.#prepare(sql)
    stmt.clearBindings()
    for (const [i, p] of params.entries()) bind(stmt, i + 1, p)
    const result = await stmt.run()
    const names = result.columnNames()
    const kinds = result.columnTypes().map((t) => kindOf(t.typeId))
    let yielded = false
    for (;;) {
      if (this.#interrupted) throw new K2Error('QUERY', 'the query was interrupted while its result was read')
      const chunk = await result.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      yielded = true
      yield { names, kinds, columns: kinds.map((k, i) => readColumn(chunk, i, k)), rowCount: chunk.rowCount }
    }
    if (this.#interrupted) throw new K2Error('QUERY', 'the query was interrupted while its result was read')
    if (!yielded) yield { names, kinds, columns: kinds.map(() => []), rowCount: 0 }
  }

  async #prepare(sql: string): Promise<DuckDBPreparedStatement> {
    const cached = this.#prepared.get(sql)
    if (cached) return cached
    let stmt: DuckDBPreparedStatement
    try {
      stmt = await this.#conn.prepare(sql)
    } catch (cause) {
      throw new K2Error('QUERY', `DuckDB could not prepare the query: ${(cause as Error).message}`, { cause })
    }
    if (stmt.statementType !== StatementType.SELECT) {
      stmt.destroySync()
      throw new K2Error('VALIDATION', 'only a single SELECT statement may run through the query layer')
    }
    // A small per-connection cache: dashboards and point queries repeat the same text with new params.
    if (this.#prepared.size >= 64) {
      const [oldest] = this.#prepared
      if (oldest) {
        oldest[1].destroySync()
        this.#prepared.delete(oldest[0])
      }
    }
    this.#prepared.set(sql, stmt)
    return stmt
  }

  async load(name: string, columns: readonly LoadColumn[]): Promise<void> {
    // One statement, every column a bound list: `unnest` zips them back into rows.
    const lists = columns.map((c, i) => `unnest($${i + 1}::${LIST_TYPE[c.type]}) AS ${quoteIdentifier(c.name)}`)
    const stmt = await this.#conn.prepare(
      `CREATE OR REPLACE TABLE ${quoteIdentifier(name)} AS ${loadSelect(columns, `(SELECT ${lists.join(', ')})`)}`,
    )
    try {
      columns.forEach((c, i) => {
        const values =
          c.type === 'long' || c.type === 'timestamptz' ? c.values.map((v) => (v === null ? null : BigInt(v as number))) : c.values
        stmt.bindList(i + 1, listValue(values as never[]), LIST(LIST_ITEM[c.type]))
      })
      await stmt.run()
    } finally {
      stmt.destroySync()
    }
  }

  interrupt(): void {
    this.#interrupted = true
    this.#conn.interrupt()
  }

  async ping(): Promise<void> {
    const r = await this.#conn.runAndReadAll('SELECT 42')
    if (r.getRows()[0]?.[0] !== 42) throw new K2Error('QUERY', 'DuckDB connection failed its health check')
  }

  async close(): Promise<void> {
    for (const s of this.#prepared.values()) s.destroySync()
    this.#prepared.clear()
    this.#conn.closeSync()
  }
}

const LIST_ITEM = { string: VARCHAR, double: DOUBLE, long: BIGINT, int: INTEGER, boolean: BOOLEAN, timestamptz: BIGINT } as const
const LIST_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR[]',
  double: 'DOUBLE[]',
  long: 'BIGINT[]',
  int: 'INTEGER[]',
  boolean: 'BOOLEAN[]',
  timestamptz: 'BIGINT[]',
}

function bind(stmt: DuckDBPreparedStatement, i: number, p: Param): void {
  if (p === null) stmt.bindNull(i)
  else if (typeof p === 'string') stmt.bindVarchar(i, p)
  else if (typeof p === 'number') Number.isSafeInteger(p) ? stmt.bindBigInt(i, BigInt(p)) : stmt.bindDouble(i, p)
  else if (typeof p === 'boolean') stmt.bindBoolean(i, p)
  else if (typeof p === 'bigint') stmt.bindBigInt(i, p)
  else if (p.every((x) => typeof x === 'string')) stmt.bindList(i, listValue([...p]), LIST(VARCHAR))
  else stmt.bindList(i, listValue([...p]), LIST(DOUBLE))
}

function kindOf(id: DuckDBTypeId): ValueKind {
  switch (id) {
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return 'string'
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
      return 'double'
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'integer'
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp'
    case DuckDBTypeId.BOOLEAN:
      return 'boolean'
    default:
      return 'json'
  }
}

const MICROS_PER = { s: 1_000_000n, ms: 1_000n }

function readColumn(chunk: DuckDBDataChunk, i: number, kind: ValueKind): unknown[] {
  if (kind === 'json') return chunk.convertColumnValues(i, JsonDuckDBValueConverter)
  const values = chunk.getColumnValues(i) as unknown[]
  if (kind === 'string' || kind === 'boolean') return values.map((v) => (v === null ? null : kind === 'string' ? String(v) : v))
  if (kind === 'double') return values.map((v) => (v === null ? null : typeof v === 'number' ? v : Number(String(v))))
  if (kind === 'integer') return values.map((v) => (v === null ? null : Number(v)))
  // Times: epoch µs from whichever unit DuckDB holds (µs for TIMESTAMP/TIMESTAMPTZ, as Parquet stores them).
  return values.map((v) => {
    if (v === null) return null
    const t = v as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint }
    if (t.micros !== undefined) return Number(t.micros)
    if (t.millis !== undefined) return Number(t.millis * MICROS_PER.ms)
    if (t.seconds !== undefined) return Number(t.seconds * MICROS_PER.s)
    return Number((t.nanos ?? 0n) / 1_000n)
  })
}
