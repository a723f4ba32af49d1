import { type FileCatalog, K2Error, type SnapshotFiles, showValue, type TableName, type Tables } from '@k2/core'
import type { Param } from './compiled-query.js'
import { checkTable, columnSpecs } from './schema.js'
import { columnValue } from './value.js'

/**
 * Rows held in memory, served as lake tables: the typed builder and `sql` templates run over them
 * on any engine — duckdb-wasm in a browser, where Parquet cannot be read without its extension.
 * The rows are checked once, kept by column, and loaded into the engine as a table on the first
 * query that reads them (see `EngineConnection.load`).
 */

/** Most rows of one in-memory table (they are held in JS memory and copied into the engine once). */
export const MAX_MEMORY_ROWS = 1_000_000

/** What `memoryCatalog` takes per table: rows (plain objects, times as epoch µs, Dates or ISO strings) or an Arrow table. */
export type MemoryRows<T extends TableName> = readonly Tables[T][] | ArrowTableLike

/** The part of an apache-arrow `Table` read here (any version of the library). */
export interface ArrowTableLike {
  readonly numRows: number
  readonly schema: {
    readonly fields: readonly { readonly name: string; readonly type: { readonly typeId: number; readonly unit?: number } }[]
  }
  getChild(name: string): { get(i: number): unknown; toArray(): ArrayLike<unknown> } | null
}

const MEMORY = Symbol.for('k2.memoryCatalog')

/** One in-memory table: its rows by column (values as the engine binds them), and a unique engine-side name. */
export interface MemoryTable {
  readonly table: TableName
  /** `k2_memory_<n>_<random>`: letters, digits and `_`, made here, never from input. */
  readonly name: string
  readonly rows: number
  readonly columns: readonly (readonly Param[])[]
}

/** A catalog of in-memory tables; `files()` lists no files, the query layer reads the loaded table instead. */
export interface MemoryCatalog extends FileCatalog {
  readonly [MEMORY]: ReadonlyMap<TableName, MemoryTable>
}

let catalogs = 0

/**
 * A catalog over rows in memory. Every value is checked against the table's schema now (a bad
 * one is `K2Error('VALIDATION')` naming the row and column), so queries never meet a surprise.
 *
 * @example
 * ```ts
 * const layer = createQueryLayer(memoryCatalog({ 'silver.trades': trades }), { engine: await createDuckDBWasmEngine({ db }) })
 * const candles = await layer.query('silver.trades').bucket('1m', { as: 'start' }).aggregate((f) => ({ n: f.count() })).rows()
 * ```
 */
export function memoryCatalog(tables: { readonly [T in TableName]?: MemoryRows<T> }): MemoryCatalog {
  if (typeof tables !== 'object' || tables === null) {
    throw new K2Error('VALIDATION', 'memoryCatalog takes { [table]: rows }, e.g. { "silver.trades": trades }')
  }
  const held = new Map<TableName, MemoryTable>()
  const id = `k2_memory_${++catalogs}_${Math.random().toString(36).slice(2, 10)}`
  for (const [name, input] of Object.entries(tables)) {
    const table = checkTable(name)
    const columns = columnsOf(table, input as MemoryRows<TableName>)
    held.set(table, { table, name: `${id}_${held.size}`, rows: columns[0]?.length ?? 0, columns })
  }
  return {
    [MEMORY]: held,
    async files(table: TableName): Promise<SnapshotFiles> {
      return { table: checkTable(table), snapshotId: null, files: [] }
    },
  }
}

/** The in-memory table `catalog` holds for `table`, if it is a memory catalog that holds one. */
export function memoryTableOf(catalog: FileCatalog, table: TableName): MemoryTable | undefined {
  return (catalog as Partial<MemoryCatalog>)[MEMORY]?.get(table)
}

/** The rows' values by column, in schema order, each checked against its column's type. */
function columnsOf(table: TableName, input: MemoryRows<TableName>): Param[][] {
  const specs = columnSpecs(table)
  const arrow = isArrowTable(input) ? input : null
  const n = arrow ? arrow.numRows : Array.isArray(input) ? input.length : -1
  if (n < 0) throw new K2Error('VALIDATION', `memoryCatalog: ${table} must be an array of rows or an Arrow table, got ${showValue(input)}`)
  if (n > MAX_MEMORY_ROWS) {
    throw new K2Error(
      'CAPACITY',
      `memoryCatalog: ${table} has ${n} rows, more than ${MAX_MEMORY_ROWS}: write them to Parquet (a lake) and query them through its FileCatalog`,
    )
  }
  const read = arrow
    ? arrowReaders(table, arrow)
    : specs.map((c) => (i: number) => (input as readonly Record<string, unknown>[])[i]?.[c.name])
  const out: Param[][] = specs.map(() => new Array<Param>(n))
  for (let i = 0; i < n; i++) {
    const row = arrow || isRecord((input as readonly unknown[])[i]) ? null : (input as readonly unknown[])[i]
    if (row !== null) throw new K2Error('VALIDATION', `memoryCatalog: row ${i} of ${table} is ${showValue(row)}, not an object`)
    specs.forEach((c, k) => {
      const v = (read[k] as (i: number) => unknown)(i)
      let value: Param = null
      if (v === null || v === undefined) {
        if (c.required) throw new K2Error('VALIDATION', `memoryCatalog: row ${i} of ${table} has no ${c.name}, which is required`)
      } else {
        try {
          value = columnValue(table, c, v)
        } catch (cause) {
          throw new K2Error('VALIDATION', `memoryCatalog: row ${i} of ${table}: ${(cause as Error).message}`, { cause })
        }
      }
      ;(out[k] as Param[])[i] = value
    })
  }
  return out
}

// Arrow type ids (apache-arrow `Type`) and time units, stable across versions.
const TIMESTAMP = 10
const MICROS_PER_UNIT = [1_000_000, 1_000, 1, 0.001]

/** Per column, a reader of row i: times from Arrow Timestamp columns become epoch µs; others as Arrow gives them. */
function arrowReaders(table: TableName, t: ArrowTableLike): ((i: number) => unknown)[] {
  return columnSpecs(table).map((c) => {
    const field = t.schema.fields.find((f) => f.name === c.name)
    const vector = t.getChild(c.name)
    if (!field || !vector) return () => undefined
    if (field.type.typeId !== TIMESTAMP) return (i) => vector.get(i)
    // The raw int64s, exact (arrow's get() gives lossy millisecond doubles for timestamps).
    const raw = vector.toArray()
    const per = MICROS_PER_UNIT[field.type.unit ?? 2] ?? 1
    return (i) => {
      if (vector.get(i) === null) return null
      const v = raw[i] as bigint | number
      return per >= 1 ? Number(v) * per : Number(BigInt(v) / 1000n)
    }
  })
}

function isArrowTable(x: unknown): x is ArrowTableLike {
  const t = x as Partial<ArrowTableLike> | null
  return typeof t === 'object' && t !== null && typeof t.numRows === 'number' && typeof t.getChild === 'function' && !Array.isArray(t)
}

function isRecord(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
