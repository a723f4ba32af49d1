import { K2Error } from '@k2/core'
import { type Param, quoteIdentifier } from './compiled-query.js'
import type { EngineBatch, EngineConnection, LoadColumn, QueryEngine, ValueKind } from './engine.js'
import { arrowIpc } from './load-arrow.js'
import { loadSelect } from './load-sql.js'
import { assertSingleSelect } from './statement-guard.js'

/** The parts of an Arrow table duckdb-wasm returns that K2 reads (its own copy of apache-arrow). */
interface WasmTable {
  schema: { fields: { name: string; type: { typeId: number } }[] }
  batches: {
    numRows: number
    getChildAt(i: number): { get(i: number): unknown; toArray(): ArrayLike<unknown>; isValid(i: number): boolean } | null
  }[]
}
type MaybePromise<T> = T | Promise<T>
interface WasmStatement {
  query(...params: unknown[]): MaybePromise<WasmTable>
  close(): MaybePromise<void>
}
interface WasmConnection {
  query(sql: string): MaybePromise<WasmTable>
  prepare(sql: string): MaybePromise<WasmStatement>
  close(): MaybePromise<void>
  /** AsyncDuckDBConnection only. */
  cancelSent?(): Promise<boolean>
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create?: boolean }): MaybePromise<void>
}

/** A duckdb-wasm database: `AsyncDuckDB` (browsers, workers) or `DuckDBBindings` (Node, blocking). */
export interface WasmDatabase {
  connect(): MaybePromise<unknown>
}

export interface DuckDBWasmEngineOptions {
  /** The opened duckdb-wasm database; K2 does not bundle duckdb-wasm (an optional peer dependency). */
  db: WasmDatabase
}

// Arrow type ids (apache-arrow `Type`), stable across versions.
const ARROW = { Int: 2, Float: 3, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Timestamp: 10, LargeUtf8: 20 } as const

/**
 * The duckdb-wasm engine, for browsers (and Node for comparison). Every connection turns extension
 * auto-install and auto-load off (otherwise a missing extension hangs on a download); where the
 * Parquet extension is not loaded, a query over lake files fails with `K2Error('UNSUPPORTED')`.
 *
 * @example
 * ```ts
 * import * as duckdb from '@duckdb/duckdb-wasm'
 * const bundle = await duckdb.selectBundle(duckdb.getJsDelivrBundles())
 * const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(), new Worker(bundle.mainWorker!))
 * await db.instantiate(bundle.mainModule)
 * // Load Parquet while the network is there (K2 never lets duckdb-wasm auto-install it).
 * const c = await db.connect(); await c.query('INSTALL parquet; LOAD parquet'); await c.close()
 * const layer = createQueryLayer(catalog, { engine: await createDuckDBWasmEngine({ db }) })
 * ```
 */
export async function createDuckDBWasmEngine({ db }: DuckDBWasmEngineOptions): Promise<QueryEngine> {
  if (typeof db?.connect !== 'function')
    throw new K2Error('VALIDATION', 'createDuckDBWasmEngine needs { db }: an opened duckdb-wasm AsyncDuckDB or DuckDBBindings')
  return {
    name: 'duckdb-wasm',
    async connect() {
      const conn = (await db.connect()) as WasmConnection
      await conn.query('SET autoinstall_known_extensions = false')
      await conn.query('SET autoload_known_extensions = false')
      const ext = await conn.query("SELECT count(*) AS n FROM duckdb_extensions() WHERE extension_name = 'parquet' AND loaded")
      const parquet = Number(ext.batches[0]?.getChildAt(0)?.get(0) ?? 0) > 0
      return new WasmEngineConnection(conn, parquet)
    },
    async close() {},
  }
}

class WasmEngineConnection implements EngineConnection {
  /** Set by interrupt(): a result being read fails at its next batch instead of ending early. */
  #interrupted = false

  constructor(
    readonly conn: WasmConnection,
    readonly parquet: boolean,
  ) {}

  async *stream(sql: string, params: readonly Param[]): AsyncIterable<EngineBatch> {
    assertSingleSelect(sql)
    if (!this.parquet && sql.includes('read_parquet(')) {
      throw new K2Error(
        'UNSUPPORTED',
        'duckdb-wasm has no Parquet extension loaded here (auto-install is off so it cannot hang on a download): load it into the database first, or use the native engine (createDuckDBEngine)',
      )
    }
    if (params.some((p) => Array.isArray(p))) {
      throw new K2Error('UNSUPPORTED', 'duckdb-wasm cannot bind list parameters: use the native engine for file lists and list values')
    }
    this.#interrupted = false
    const stmt = await this.conn.prepare(sql)
    let table: WasmTable
    try {
      table = await stmt.query(...params)
    } finally {
      await stmt.close()
    }
    const names = table.schema.fields.map((f) => f.name)
    const kinds = table.schema.fields.map((f) => kindOf(f.type.typeId))
    let yielded = false
    for (const b of table.batches) {
      if (this.#interrupted) throw new K2Error('QUERY', 'the query was interrupted while its result was read')
      if (b.numRows === 0) continue
      yielded = true
      yield { names, kinds, columns: kinds.map((k, i) => readColumn(b, i, k)), rowCount: b.numRows }
    }
    if (!yielded) yield { names, kinds, columns: kinds.map(() => []), rowCount: 0 }
  }

  async load(name: string, columns: readonly LoadColumn[]): Promise<void> {
    // Arrow is duckdb-wasm's native way in (no extension needed); a staging table, then the lake's types.
    const staging = `${name}_arrow`
    await this.conn.insertArrowFromIPCStream(arrowIpc(columns), { name: staging, create: true })
    try {
      await this.conn.query(`CREATE OR REPLACE TABLE ${quoteIdentifier(name)} AS ${loadSelect(columns, quoteIdentifier(staging))}`)
    } finally {
      await this.conn.query(`DROP TABLE IF EXISTS ${quoteIdentifier(staging)}`)
    }
  }

  interrupt(): void {
    this.#interrupted = true
    void this.conn.cancelSent?.()
  }

  async ping(): Promise<void> {
    await this.conn.query('SELECT 1')
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}

function kindOf(typeId: number): ValueKind {
  switch (typeId) {
    case ARROW.Utf8:
    case ARROW.LargeUtf8:
      return 'string'
    case ARROW.Float:
      return 'double'
    case ARROW.Int:
      return 'integer'
    case ARROW.Bool:
      return 'boolean'
    case ARROW.Timestamp:
      return 'timestamp'
    default:
      return 'json'
  }
}

function readColumn(batch: WasmTable['batches'][number], i: number, kind: ValueKind): unknown[] {
  const v = batch.getChildAt(i)
  if (!v) return []
  const out = new Array<unknown>(batch.numRows)
  // Timestamps: the raw int64 values (µs for DuckDB's TIMESTAMP/TIMESTAMPTZ), not arrow's ms doubles.
  const raw = kind === 'timestamp' ? v.toArray() : undefined
  for (let r = 0; r < batch.numRows; r++) {
    if (!v.isValid(r)) out[r] = null
    else if (raw) out[r] = Number(raw[r] as bigint)
    else {
      const x = v.get(r)
      out[r] = kind === 'integer' ? Number(x) : kind === 'json' ? jsonValue(x) : x
    }
  }
  return out
}

function jsonValue(x: unknown): unknown {
  if (typeof x === 'bigint') return Number(x)
  if (x !== null && typeof x === 'object' && 'toJSON' in x && typeof x.toJSON === 'function') return x.toJSON()
  return x === null || typeof x !== 'object' ? x : String(x)
}
