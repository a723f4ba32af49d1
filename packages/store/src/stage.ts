import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBVector,
  ENUM,
  INTEGER,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api'
import { K2Error } from '@k2/core'
import { checker, type Fill, type FillKind, filler, scanner } from './row-access.js'
import { stageOrder } from './stage-order.js'
import { prepass } from './stage-prepass.js'
import { type PartitionStats, StageStats } from './stage-stats.js'
import type { TableSpec } from './table-spec.js'
import type { Scalar } from './values.js'

/**
 * Moves JS rows into a DuckDB temp table, chosen by measurement (bench/store-write.bench.ts):
 * data chunks filled column by column, numbers written straight into the vectors' typed arrays,
 * 64-bit times as two 32-bit halves (no BigInt per value), and low-cardinality strings as ENUM
 * codes (one native call per string is what is slow).
 * Rows are read by column name, or by its camelCase alias (`recv_ts` ← `recvTs`), so core events
 * such as `Trade` are staged as they are, without a copy.
 */

export type Row = Record<string, unknown>

type Kind = 'code' | 'string' | 'numid' | 'double' | 'int' | 'long' | 'ts' | 'bool'

export interface StagedColumn {
  name: string
  kind: Kind
  required: boolean
  /** Dictionary of a `code` column: index → string. */
  dict: string[]
  /** A `numid` column (decimal-string ids staged as BIGINT): its string min/max per partition. */
  bounds?: Map<number, { min: string; max: string }>
}

export interface Staged {
  table: string
  rows: number
  columns: StagedColumn[]
  /** Partition tuples by index (the `__p` column). */
  partitions: Record<string, Scalar | null>[]
  /** True when the batch may hold duplicate unique keys (ids not strictly increasing per key). */
  mayHaveDuplicates: boolean
  /** True when rows were staged in file order (partition, sort columns): the COPY needs no ORDER BY. */
  sorted: boolean
  /** Column statistics taken while staging; cleared when staged rows are deleted. */
  stats?: PartitionStats | null
}

const DUCK: Record<Kind, DuckDBType> = {
  code: INTEGER,
  string: VARCHAR,
  numid: BIGINT,
  double: DOUBLE,
  int: INTEGER,
  long: BIGINT,
  ts: TIMESTAMPTZ,
  bool: BOOLEAN,
}
const SQL_TYPE: Record<Kind, string> = {
  code: 'INTEGER',
  string: 'VARCHAR',
  numid: 'BIGINT',
  double: 'DOUBLE',
  int: 'INTEGER',
  long: 'BIGINT',
  ts: 'TIMESTAMPTZ',
  bool: 'BOOLEAN',
}

function kindOf(spec: TableSpec, name: string, type: string): Kind {
  if (type === 'string') return spec.lowCardinality.has(name) ? 'code' : 'string'
  if (type === 'timestamptz') return 'ts'
  if (type === 'boolean') return 'bool'
  return type as Kind
}

interface ReadColumn {
  name: string
  kind: Kind
  required: boolean
}

function readColumns(spec: TableSpec): ReadColumn[] {
  return spec.columns.map((c) => ({ name: c.name, kind: kindOf(spec, c.name, c.type), required: c.required }))
}

type Items = Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array

/** The vector's backing typed array when this DuckDB version exposes one; else null (slow path). */
function itemsOf(v: DuckDBVector): Items | null {
  const items = (v as unknown as { items?: unknown }).items
  return items instanceof Float64Array ||
    items instanceof Int32Array ||
    items instanceof BigInt64Array ||
    items instanceof Uint8Array ||
    items instanceof Uint16Array ||
    items instanceof Uint32Array
    ? items
    : null
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`

/** SQL ENUM of a dictionary; an all-null column gets a placeholder value it never uses. */
function enumSql(dict: string[]): string {
  return `ENUM(${(dict.length > 0 ? dict : ['']).map(lit).join(', ')})`
}

/**
 * Dictionaries of the low-cardinality columns, built before the temp table is created: they are
 * staged as DUCKDB ENUMs (codes in, strings out), which the Parquet writer encodes from the
 * dictionary instead of decoding every row (a CASE per row cost ~0.15 s per million trades).
 */
function dictionaries(spec: TableSpec, rows: readonly Row[], columns: StagedColumn[]): Map<string, number>[] {
  const dicts = columns.map(() => new Map<string, number>())
  const ks = columns.flatMap((c, k) => (c.kind === 'code' ? [k] : []))
  for (let g = 0; g < ks.length; g += 5) {
    const group = ks.slice(g, g + 5)
    const last: unknown[] = group.map(() => undefined)
    const add = (slot: number, v: unknown) => {
      if (v === last[slot] || v === null || v === undefined) return
      last[slot] = v
      const k = group[slot] as number
      const dict = dicts[k] as Map<string, number>
      if (dict.has(v as string)) return
      dict.set(v as string, dict.size)
      ;(columns[k] as StagedColumn).dict.push(v as string)
    }
    scanner([0, 1, 2, 3, 4].map((i) => (group[i] === undefined ? null : (spec.columns[group[i] as number]?.name ?? null))))(
      rows,
      (_, a, b, c, d, e) => {
        add(0, a)
        if (group.length > 1) add(1, b)
        if (group.length > 2) add(2, c)
        if (group.length > 3) add(3, d)
        if (group.length > 4) add(4, e)
      },
    )
  }
  return dicts
}

function bad(spec: TableSpec, index: number, col: ReadColumn, value: unknown): K2Error {
  const want = {
    code: 'a string',
    string: 'a string',
    numid: 'a string',
    double: 'a number (not NaN)',
    int: 'a 32-bit integer',
    long: 'a safe integer',
    ts: 'epoch µs as a safe integer',
    bool: 'a boolean',
  }[col.kind]
  return new K2Error(
    'VALIDATION',
    `row ${index} of ${spec.name}: column "${col.name}" must be ${want}${col.required ? '' : ' or null'}, got ${JSON.stringify(value) ?? String(value)}: fix or drop the row (nothing was written)`,
    { details: { table: spec.name, row: index, column: col.name } },
  )
}

/** Checks rows against the table's column types; throws VALIDATION naming the first bad value. */
export function checkRows(spec: TableSpec, rows: readonly Row[], firstIndex = 0): void {
  const cols = readColumns(spec)
  const at = checker(
    spec,
    cols.map((c) => c.kind),
  )(rows)
  if (at === -1) return
  if (at < -1) {
    const i = -2 - at
    throw new K2Error(
      'VALIDATION',
      `row ${firstIndex + i} of ${spec.name} is ${JSON.stringify(rows[i])}, not an object: pass rows keyed by column name (nothing was written)`,
    )
  }
  const i = Math.floor(at / cols.length)
  const col = cols[at % cols.length] as ReadColumn
  const row = rows[i] as Row
  const alias = col.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
  throw bad(spec, firstIndex + i, col, row[col.name] === undefined ? row[alias] : row[col.name])
}

function permute(a: Int32Array, order: Uint32Array): Int32Array {
  const out = new Int32Array(a.length)
  for (let i = 0; i < out.length; i++) out[i] = a[order[i] as number] as number
  return out
}

/** Marks the given (column, row) pairs valid again; false when this DuckDB version hides validity. */
function revalidate(vectors: DuckDBVector[], nulled: number[]): boolean {
  for (let i = 0; i < nulled.length; i += 2) {
    const validity = (vectors[nulled[i] as number] as unknown as { validity?: { setItemValid?: (j: number, valid: boolean) => void } })
      .validity
    if (typeof validity?.setItemValid !== 'function') return false
    validity.setItemValid(nulled[i + 1] as number, true)
  }
  return true
}

const CHUNK = 2048
let seq = 0

/** Stages `rows` into a new temp table on `conn`; `checked` skips the type checks (done by `checkRows`). */
export async function stageRows(conn: DuckDBConnection, spec: TableSpec, rows: readonly Row[], checked = false): Promise<Staged> {
  const cols = readColumns(spec)
  const columns: StagedColumn[] = cols.map((c) => ({ name: c.name, kind: c.kind, required: c.required, dict: [] }))
  if (!checked) checkRows(spec, rows)
  const pre = prepass(spec, rows)
  if (pre.numericIds) {
    const c = columns[pre.numericIds.col] as StagedColumn
    c.kind = 'numid'
    c.bounds = pre.numericIds.bounds
  }
  const dicts = dictionaries(spec, rows, columns)
  const code = (k: number, v: string): number => {
    const c = (dicts[k] as Map<string, number>).get(v)
    if (c === undefined) throw new Error(`${v} is missing from the dictionary of ${columns[k]?.name}`)
    return c
  }
  const table = `k2_stage_${++seq}`
  const ddl = [...columns.map((c) => `"${c.name}" ${c.kind === 'code' ? enumSql(c.dict) : SQL_TYPE[c.kind]}`), '__p INTEGER'].join(', ')
  await conn.run(`CREATE TEMP TABLE ${table} (${ddl})`)
  const types = [...columns.map((c) => (c.kind === 'code' ? ENUM(c.dict.length > 0 ? c.dict : ['']) : DUCK[c.kind])), INTEGER]
  let fill: Fill | undefined
  const ids = pre.numericIds?.ids ?? null
  // Duplicates keep the first row staged, so a batch that may hold them stays in input order.
  const order = pre.mayHaveDuplicates ? null : stageOrder(spec, rows, pre.part)
  const part = order ? permute(pre.part, order) : pre.part
  const stats = new StageStats(columns, pre.partitions.length)
  const appender = await conn.createAppender(table, null, 'temp')
  try {
    // One chunk is reused while full: creating a chunk copies every vector out of DuckDB into
    // fresh external buffers, which cost more than the fill itself and drove GC.
    let chunk: DuckDBDataChunk | undefined
    let vectors: DuckDBVector[] = []
    let views: (Items | null)[] = []
    const nulled: number[] = [] // column, row pairs made null in the current chunk
    for (let off = 0; off < rows.length; off += CHUNK) {
      const n = Math.min(CHUNK, rows.length - off)
      if (!chunk || chunk.rowCount !== n) {
        const c = DuckDBDataChunk.create(types, n)
        chunk = c
        vectors = types.map((_, k) => c.getColumnVector(k))
        views = columns.map((col, k) => {
          const items = itemsOf(vectors[k] as DuckDBVector)
          if (items instanceof BigInt64Array) return new Uint32Array(items.buffer, items.byteOffset, n * 2)
          return items && col.kind !== 'string' && col.kind !== 'bool' ? items : null
        })
      }
      // Typed arrays where the vector exposes them; plain arrays (set item by item) otherwise.
      const out: unknown[] = views.map((v) => v ?? new Array<unknown>(n).fill(undefined))
      // 64-bit columns without a typed array are stored as raw values and converted item by item.
      fill ??= filler(
        spec,
        columns.map(
          (c, k) => (Array.isArray(out[k]) && (c.kind === 'ts' || c.kind === 'long' || c.kind === 'numid') ? 'string' : c.kind) as FillKind,
        ),
      )
      const setNull = (k: number, j: number) => {
        ;(vectors[k] as DuckDBVector).setItem(j, null)
        stats.null(k, j)
        if (views[k]) nulled.push(k, j)
      }
      fill(rows, off, n, out, code, setNull, ids, order)
      stats.add(out, part.subarray(off, off + n), n)
      columns.forEach((c, k) => {
        const o = out[k]
        if (!Array.isArray(o)) return
        const vec = vectors[k] as DuckDBVector
        for (let j = 0; j < n; j++) {
          const v = o[j]
          if (v === undefined) continue
          if (c.kind === 'long' || c.kind === 'numid') vec.setItem(j, BigInt(v as number) as never)
          else if (c.kind === 'ts') vec.setItem(j, { micros: BigInt(v as number) } as never)
          else vec.setItem(j, v as never)
        }
      })
      const pVec = vectors[columns.length] as DuckDBVector
      const pItems = itemsOf(pVec)
      if (pItems instanceof Int32Array) pItems.set(part.subarray(off, off + n))
      else for (let j = 0; j < n; j++) pVec.setItem(j, part[off + j] as never)
      for (const v of vectors) v.flush()
      appender.appendDataChunk(chunk)
      // Typed columns are written without touching validity: nulls of this chunk must not leak into the next.
      if (nulled.length > 0 && !revalidate(vectors, nulled)) chunk = undefined
      nulled.length = 0
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
  return {
    table,
    rows: rows.length,
    columns,
    partitions: pre.partitions,
    mayHaveDuplicates: pre.mayHaveDuplicates,
    sorted: order !== null,
    stats: stats.result(),
  }
}

/**
 * SQL that turns a staged column back into its lake value. `toFile`: an ENUM is left as it is,
 * since the Parquet writer stores it as strings; elsewhere it is cast, to compare with VARCHAR.
 */
export function decodeExpr(col: StagedColumn, alias = '', toFile = false): string {
  const ref = `${alias}"${col.name}"`
  if (col.kind === 'numid') return `CAST(${ref} AS VARCHAR)`
  if (col.kind !== 'code') return ref
  if (col.dict.length === 0) return `CAST(NULL AS VARCHAR)`
  return toFile ? ref : `CAST(${ref} AS VARCHAR)`
}

/** SQL that orders rows by `col` as its decoded value would sort, without decoding strings. */
export function sortExpr(col: StagedColumn): string {
  return col.kind === 'code' ? `CAST("${col.name}" AS VARCHAR)` : `"${col.name}"` // an ENUM sorts by code
}
