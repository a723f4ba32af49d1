import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBVector,
  INTEGER,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api'
import { K2Error } from '@k2/core'
import type { TableSpec } from './table-spec.js'
import { applyTransform, type Scalar } from './values.js'

/**
 * Moves JS rows into a DuckDB temp table, chosen by measurement (bench/store-write.bench.ts):
 * data chunks filled column by column, numbers written straight into the vectors' typed arrays,
 * 64-bit times as two 32-bit halves (no BigInt per value), and low-cardinality strings as integer
 * dictionary codes decoded by a CASE in the COPY (one native call per string is what is slow).
 * Every value is checked against the column type on the way; the first bad row aborts with its
 * index, before anything is written to the lake.
 */

export type Row = Record<string, unknown>

type Kind = 'code' | 'string' | 'double' | 'int' | 'long' | 'ts' | 'bool'

export interface StagedColumn {
  name: string
  kind: Kind
  required: boolean
  /** Dictionary of a `code` column: index → string. */
  dict: string[]
}

export interface Staged {
  table: string
  rows: number
  columns: StagedColumn[]
  /** Partition tuples by index (the `__p` column). */
  partitions: Record<string, Scalar | null>[]
  /** True when the batch may hold duplicate unique keys (ids not strictly increasing per key). */
  mayHaveDuplicates: boolean
}

const DUCK: Record<Kind, DuckDBType> = {
  code: INTEGER,
  string: VARCHAR,
  double: DOUBLE,
  int: INTEGER,
  long: BIGINT,
  ts: TIMESTAMPTZ,
  bool: BOOLEAN,
}
const SQL_TYPE: Record<Kind, string> = {
  code: 'INTEGER',
  string: 'VARCHAR',
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

/** The vector's backing typed array when this DuckDB version exposes one; else null (slow path). */
function itemsOf(v: DuckDBVector): Float64Array | Int32Array | BigInt64Array | null {
  const items = (v as unknown as { items?: unknown }).items
  return items instanceof Float64Array || items instanceof Int32Array || items instanceof BigInt64Array ? items : null
}

function bad(spec: TableSpec, index: number, col: StagedColumn, value: unknown): K2Error {
  const want = {
    code: 'a string',
    string: 'a string',
    double: 'a finite number',
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

function valid(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'code':
    case 'string':
      return typeof v === 'string'
    case 'double':
      return typeof v === 'number' && !Number.isNaN(v)
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31
    case 'long':
    case 'ts':
      return typeof v === 'number' && Number.isSafeInteger(v)
    case 'bool':
      return typeof v === 'boolean'
  }
}

/** Checks rows against the table's column types; throws VALIDATION naming the first bad value. */
export function checkRows(spec: TableSpec, rows: readonly Row[], firstIndex = 0): void {
  const columns = spec.columns.map((c) => ({ name: c.name, kind: kindOf(spec, c.name, c.type), required: c.required, dict: [] }))
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row
    for (const col of columns) {
      const v = row[col.name]
      if (v === null || v === undefined ? col.required : !valid(col.kind, v)) throw bad(spec, firstIndex + i, col, v)
    }
  }
}

const CHUNK = 2048
const TWO32 = 4294967296
let seq = 0

/** Stages `rows` into a new temp table on `conn`. */
export async function stageRows(conn: DuckDBConnection, spec: TableSpec, rows: readonly Row[], checked = false): Promise<Staged> {
  const columns: StagedColumn[] = spec.columns.map((c) => ({
    name: c.name,
    kind: kindOf(spec, c.name, c.type),
    required: c.required,
    dict: [],
  }))
  const dicts = columns.map(() => new Map<string, number>())
  const table = `k2_stage_${++seq}`
  const ddl = [...columns.map((c) => `"${c.name}" ${SQL_TYPE[c.kind]}`), '__p INTEGER'].join(', ')
  await conn.run(`CREATE TEMP TABLE ${table} (${ddl})`)
  const partIndex = new Map<string, number>()
  const partitions: Record<string, Scalar | null>[] = []
  const partCols = spec.partition.map((p) => ({ p, col: columns.findIndex((c) => c.name === p.sourceColumn) }))
  const key = spec.uniqueKey
  const lastId = new Map<string, number>()
  let mayHaveDuplicates = false
  const types = [...columns.map((c) => DUCK[c.kind]), INTEGER]
  const appender = await conn.createAppender(table, null, 'temp')
  try {
    for (let off = 0; off < rows.length; off += CHUNK) {
      const n = Math.min(CHUNK, rows.length - off)
      const chunk = DuckDBDataChunk.create(types, n)
      const vectors = types.map((_, k) => chunk.getColumnVector(k))
      const partOf = new Int32Array(n)
      for (let k = 0; k < columns.length; k++) {
        const col = columns[k] as StagedColumn
        const vec = vectors[k] as DuckDBVector
        const items = itemsOf(vec)
        const halves = items instanceof BigInt64Array ? new Uint32Array(items.buffer, items.byteOffset, n * 2) : null
        const dict = dicts[k] as Map<string, number>
        let lastS: unknown
        let lastC = 0
        for (let j = 0; j < n; j++) {
          const v = (rows[off + j] as Row)[col.name]
          if (v === null || v === undefined) {
            if (col.required) throw bad(spec, off + j, col, v)
            vec.setItem(j, null)
            continue
          }
          if (!checked && !valid(col.kind, v)) throw bad(spec, off + j, col, v)
          if (col.kind === 'code') {
            if (v !== lastS) {
              lastS = v
              let c = dict.get(v as string)
              if (c === undefined) {
                c = dict.size
                dict.set(v as string, c)
                col.dict.push(v as string)
              }
              lastC = c
            }
            if (items) items[j] = lastC
            else vec.setItem(j, lastC as never)
          } else if (halves) {
            const x = v as number
            const hi = Math.floor(x / TWO32)
            halves[2 * j] = x - hi * TWO32
            halves[2 * j + 1] = hi
          } else if (items && !(items instanceof BigInt64Array)) {
            items[j] = v as number
          } else if (col.kind === 'long') {
            vec.setItem(j, BigInt(v as number) as never)
          } else if (col.kind === 'ts') {
            vec.setItem(j, { micros: BigInt(v as number) } as never)
          } else {
            vec.setItem(j, v as never)
          }
        }
      }
      // Partition index per row, and whether unique keys arrive strictly increasing.
      for (let j = 0; j < n; j++) {
        const row = rows[off + j] as Row
        let pk = ''
        const tuple: Record<string, Scalar | null> = {}
        for (const { p } of partCols) {
          const val = applyTransform(p.transform, (row[p.sourceColumn] ?? null) as Scalar | null)
          tuple[p.name] = val
          pk += `${String(val)}\u0000`
        }
        let idx = partIndex.get(pk)
        if (idx === undefined) {
          idx = partitions.length
          partIndex.set(pk, idx)
          partitions.push(tuple)
        }
        partOf[j] = idx
        if (key && !mayHaveDuplicates) {
          const k = `${String(row[key[0] as string])}\u0000${String(row[key[1] as string])}`
          const id = Number(row[key[2] as string])
          const prev = lastId.get(k)
          if (!Number.isFinite(id) || (prev !== undefined && id <= prev)) mayHaveDuplicates = true
          lastId.set(k, id)
        }
      }
      const pVec = vectors[columns.length] as DuckDBVector
      const pItems = itemsOf(pVec)
      for (let j = 0; j < n; j++) {
        if (pItems) pItems[j] = partOf[j] as number
        else pVec.setItem(j, partOf[j] as never)
      }
      for (const v of vectors) v.flush()
      appender.appendDataChunk(chunk)
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
  return { table, rows: rows.length, columns, partitions, mayHaveDuplicates }
}

/** SQL that turns a staged column back into its lake value (dictionary codes → strings). */
export function decodeExpr(col: StagedColumn, alias = ''): string {
  const ref = `${alias}"${col.name}"`
  if (col.kind !== 'code') return ref
  if (col.dict.length === 0) return `CAST(NULL AS VARCHAR)`
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`
  return `CASE ${ref} ${col.dict.map((s, i) => `WHEN ${i} THEN ${lit(s)}`).join(' ')} END`
}
