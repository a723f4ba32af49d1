import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBTableFunction,
  type DuckDBType,
  ENUM,
  INTEGER,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api'
import bindings from '@duckdb/node-bindings'
import type { BatchColumn, ColumnBatch } from './column-batch.js'
import type { BatchPlan } from './staged-rows.js'

/**
 * Hands a column batch to DuckDB as a table function, `k2_stage_scan(handle, partition)`, so a
 * `COPY (SELECT … FROM k2_stage_scan(…)) TO 'file.parquet'` streams it straight into the Parquet
 * writer: no appender, no temp table. Each call fills one chunk of up to 2,048 rows: values are
 * gathered in file order into reused scratch arrays laid out as DuckDB's vectors (ENUM codes,
 * int64 µs as two 32-bit halves) and copied in with one native call per column.
 * Partition -1 scans every row and is used to materialize the batch into a temp table.
 */

const CHUNK = 2048
const TWO32 = 4294967296
const NAME = 'k2_stage_scan'

type Scratch = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array

interface Lane {
  column: BatchColumn
  type: DuckDBType
  /** How to fill the chunk's vector. */
  mode: 'enum8' | 'enum16' | 'enum32' | 'f64' | 'i32' | 'wide' | 'id' | 'bool' | 'string' | 'part'
  scratch: Scratch | null
}

interface Registered {
  batch: ColumnBatch
  plan: BatchPlan
  lanes: Lane[]
  validity: Uint8Array
  rows: Uint32Array
}

const registry = new Map<number, Registered>()
let nextHandle = 1

function lane(column: BatchColumn, numericId: boolean): Lane {
  switch (column.kind) {
    case 'code': {
      const type = ENUM(column.dict.length > 0 ? column.dict : [''])
      const width = column.dict.length < 256 ? 8 : column.dict.length < 65536 ? 16 : 32
      const scratch = width === 8 ? new Uint8Array(CHUNK) : width === 16 ? new Uint16Array(CHUNK) : new Uint32Array(CHUNK)
      return { column, type, mode: `enum${width}` as Lane['mode'], scratch }
    }
    case 'double':
      return { column, type: DOUBLE, mode: 'f64', scratch: new Float64Array(CHUNK) }
    case 'int':
      return { column, type: INTEGER, mode: 'i32', scratch: new Int32Array(CHUNK) }
    case 'long':
    case 'ts':
      return { column, type: column.kind === 'ts' ? TIMESTAMPTZ : BIGINT, mode: 'wide', scratch: new Uint32Array(2 * CHUNK) }
    case 'bool':
      return { column, type: BOOLEAN, mode: 'bool', scratch: new Uint8Array(CHUNK) }
    case 'string':
      return numericId
        ? { column, type: BIGINT, mode: 'id', scratch: new Uint32Array(2 * CHUNK) }
        : { column, type: VARCHAR, mode: 'string', scratch: null }
  }
}

/** Makes the batch scannable; the returned handle is a plain integer, safe to write into SQL. */
export function registerBatch(batch: ColumnBatch, plan: BatchPlan): { handle: number; types: DuckDBType[] } {
  const lanes = batch.columns.map((c, k) => lane(c, plan.numericIds?.column === k))
  const part: BatchColumn = {
    name: '__p',
    kind: 'int',
    required: true,
    values: plan.part,
    nulls: null,
    dict: [],
    index: new Map(),
    ids: null,
  }
  lanes.push({ column: part, type: INTEGER, mode: 'part', scratch: new Int32Array(CHUNK) })
  const handle = nextHandle++
  registry.set(handle, { batch, plan, lanes, validity: new Uint8Array(CHUNK / 8), rows: new Uint32Array(CHUNK) })
  return { handle, types: lanes.map((l) => l.type) }
}

export function releaseBatch(handle: number): void {
  registry.delete(handle)
}

// Gathers, one per array type so each loop stays monomorphic.

function gatherF64(src: Float64Array, rows: Uint32Array, n: number, dst: Float64Array): void {
  for (let j = 0; j < n; j++) dst[j] = src[rows[j] as number] as number
}
function gatherI32(src: Int32Array, rows: Uint32Array, n: number, dst: Int32Array): void {
  for (let j = 0; j < n; j++) dst[j] = src[rows[j] as number] as number
}
function gatherU8(src: Uint8Array, rows: Uint32Array, n: number, dst: Uint8Array): void {
  for (let j = 0; j < n; j++) dst[j] = src[rows[j] as number] as number
}
function gatherCodes(src: Int32Array, rows: Uint32Array, n: number, dst: Uint8Array | Uint16Array | Uint32Array): void {
  for (let j = 0; j < n; j++) {
    const c = src[rows[j] as number] as number
    dst[j] = Math.max(c, 0) // a null's slot is masked by validity
  }
}
function gatherWide(src: Float64Array, rows: Uint32Array, n: number, dst: Uint32Array): void {
  for (let j = 0; j < n; j++) {
    const v = src[rows[j] as number] as number
    const hi = Math.floor(v / TWO32)
    dst[2 * j] = v - hi * TWO32
    dst[2 * j + 1] = hi // two's complement high word for negatives
  }
}

/** Validity bits of the chunk's rows (1 = valid); false when the column has no null among them. */
function validityOf(lane: Lane, rows: Uint32Array, n: number, out: Uint8Array): boolean {
  const c = lane.column
  out.fill(0xff)
  let any = false
  if (c.kind === 'code') {
    const codes = c.values as Int32Array
    for (let j = 0; j < n; j++)
      if ((codes[rows[j] as number] as number) < 0) {
        out[j >> 3] = (out[j >> 3] as number) & ~(1 << (j & 7))
        any = true
      }
  } else if (c.kind === 'string') {
    const strings = c.values as (string | null)[]
    for (let j = 0; j < n; j++)
      if (strings[rows[j] as number] === null) {
        out[j >> 3] = (out[j >> 3] as number) & ~(1 << (j & 7))
        any = true
      }
  } else if (c.nulls) {
    const nulls = c.nulls
    for (let j = 0; j < n; j++)
      if (nulls[rows[j] as number] === 1) {
        out[j >> 3] = (out[j >> 3] as number) & ~(1 << (j & 7))
        any = true
      }
  }
  return any
}

function fill(reg: Registered, rows: Uint32Array, n: number, chunk: unknown): void {
  reg.lanes.forEach((l, k) => {
    const vector = bindings.data_chunk_get_vector(chunk as never, k)
    const c = l.column
    const s = l.scratch
    switch (l.mode) {
      case 'enum8':
      case 'enum16':
      case 'enum32':
        gatherCodes(c.values as Int32Array, rows, n, s as Uint8Array)
        break
      case 'f64':
        gatherF64(c.values as Float64Array, rows, n, s as Float64Array)
        break
      case 'i32':
      case 'part':
        gatherI32(c.values as Int32Array, rows, n, s as Int32Array)
        break
      case 'wide':
        gatherWide(c.values as Float64Array, rows, n, s as Uint32Array)
        break
      case 'id':
        gatherWide(c.ids as Float64Array, rows, n, s as Uint32Array)
        break
      case 'bool':
        gatherU8(c.values as Uint8Array, rows, n, s as Uint8Array)
        break
      case 'string': {
        const strings = c.values as (string | null)[]
        for (let j = 0; j < n; j++) {
          const v = strings[rows[j] as number]
          if (v !== null && v !== undefined) bindings.vector_assign_string_element(vector, j, v)
        }
      }
    }
    if (s) {
      const bytes = n * (s.BYTES_PER_ELEMENT * (l.mode === 'wide' || l.mode === 'id' ? 2 : 1))
      bindings.copy_data_to_vector(vector, 0, s.buffer as ArrayBuffer, s.byteOffset, bytes)
    }
    // Written whenever the column may hold nulls, so no mask from an earlier chunk can linger.
    if (!c.required && (validityOf(l, rows, n, reg.validity) || c.nulls !== null || c.kind === 'code' || c.kind === 'string')) {
      bindings.vector_ensure_validity_writable(vector)
      bindings.copy_data_to_vector_validity(vector, 0, reg.validity.buffer as ArrayBuffer, 0, Math.ceil(n / 8))
    }
  })
}

interface ScanState {
  reg: Registered
  partition: number
  /** Next position: in `order` when the batch is ordered, else a row index. */
  pos: number
  end: number
}

/** The next chunk's row indexes into `rows`; returns how many. */
function nextRows(st: ScanState): number {
  const { plan } = st.reg
  const rows = st.reg.rows
  let n = 0
  if (plan.order) {
    while (n < CHUNK && st.pos < st.end) rows[n++] = plan.order[st.pos++] as number
    return n
  }
  const part = plan.part
  while (n < CHUNK && st.pos < st.end) {
    const i = st.pos++
    if (st.partition < 0 || part[i] === st.partition) rows[n++] = i
  }
  return n
}

/** Registers `k2_stage_scan` on the database of `conn` (the catalog entry serves every connection). */
export function registerStageScan(conn: DuckDBConnection): void {
  const fn = DuckDBTableFunction.create({
    name: NAME,
    parameterTypes: [BIGINT, INTEGER],
    bindFunction: (info) => {
      const handle = Number(info.getParameter(0))
      const partition = Number(info.getParameter(1))
      const reg = registry.get(handle)
      if (!reg) {
        info.setError(`${NAME}: no staged batch ${handle}`)
        return
      }
      reg.lanes.forEach((l) => {
        info.addResultColumn(l.column.name, l.type)
      })
      info.setBindData({ handle, partition })
      info.setCardinality(reg.batch.length, false)
    },
    initFunction: (info) => {
      const { handle, partition } = info.bindData as { handle: number; partition: number }
      const reg = registry.get(handle)
      if (!reg) {
        info.setError(`${NAME}: batch ${handle} was released`)
        return
      }
      const { order, start } = reg.plan
      const ranged = order !== null && start !== null && partition >= 0
      const state: ScanState = {
        reg,
        partition,
        pos: ranged ? (start[partition] as number) : 0,
        end: ranged ? (start[partition + 1] as number) : reg.batch.length,
      }
      info.setInitData(state)
      info.setMaxThreads(1) // one scanner keeps file order
    },
    mainFunction: (info, output) => {
      const st = info.initData as ScanState
      try {
        const n = nextRows(st)
        output.rowCount = n
        if (n > 0) fill(st.reg, st.reg.rows, n, (output as unknown as { chunk: unknown }).chunk)
      } catch (err) {
        info.setError(`${NAME}: ${(err as Error).message}`)
      }
    },
  })
  conn.registerTableFunction(fn)
}
