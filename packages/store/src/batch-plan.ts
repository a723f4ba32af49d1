import { MICROS_PER_DAY } from '@k2/core'
import type { BatchColumn, ColumnBatch } from './column-batch.js'
import type { TableSpec } from './table-spec.js'
import { compareStrings, monthOf, type Scalar } from './values.js'

/**
 * How a batch is laid out in the lake, computed from its columns: the partition of each row, the
 * order rows are written in (by partition, then the table's sort columns, nulls last), whether the
 * batch may repeat a unique key, and whether its ids can be staged as numbers.
 */

export interface BatchPlan {
  /** Partition index of each row (input order), and the tuple of each index. */
  part: Int32Array
  partitions: Record<string, Scalar | null>[]
  /** True when ids do not rise strictly per (exchange, symbol): the batch may hold duplicate keys. */
  mayHaveDuplicates: boolean
  /** Row indexes in file order, or null when rows stay in input order (DuckDB then sorts). */
  order: Uint32Array | null
  /** With `order`: partition p is `order[start[p] .. start[p + 1])`. */
  start: Int32Array | null
  /** Every id a canonical decimal below 10^15: staged as BIGINT, with string bounds per partition. */
  numericIds: { column: number; bounds: Map<number, { min: string; max: string }> } | null
}

/** How to read a row's key under a partition field (a day, or a dictionary code) and its value. */
interface PartitionKey {
  codes: Int32Array | null
  times: Float64Array | null
  nulls: Uint8Array | null
  value: (k: number) => Scalar | null
}

function partitionKey(spec: TableSpec, batch: ColumnBatch, f: TableSpec['partition'][number]): PartitionKey {
  const col = batch.columns.find((c) => c.name === f.sourceColumn) as BatchColumn
  if (f.transform === 'identity' && col.kind === 'code')
    return { codes: col.values as Int32Array, times: null, nulls: null, value: (k) => col.dict[k] ?? null }
  if ((f.transform === 'day' || f.transform === 'month') && (col.kind === 'ts' || col.kind === 'long')) {
    // Months are keyed by day too: days of one month meet again in the partition map.
    const value = f.transform === 'day' ? (k: number) => k : (k: number) => monthOf(k * MICROS_PER_DAY)
    return { codes: null, times: col.values as Float64Array, nulls: col.nulls, value }
  }
  throw new Error(`partition ${f.name} of ${spec.name}: unsupported source kind ${col.kind}`)
}

/** The key of row i: a dictionary code or a day number; NaN for null. */
function keyAt(k: PartitionKey | undefined, i: number): number {
  if (k === undefined) return 0
  if (k.codes !== null) {
    const c = k.codes[i] as number
    return c < 0 ? Number.NaN : c
  }
  if (k.nulls !== null && k.nulls[i] === 1) return Number.NaN
  return Math.floor(((k.times as Float64Array)[i] as number) / MICROS_PER_DAY)
}

/** Partition index per row; the previous row's index is reused while its keys repeat. */
function partitionRows(spec: TableSpec, batch: ColumnBatch): { part: Int32Array; partitions: Record<string, Scalar | null>[] } {
  if (spec.partition.length > 2) throw new Error('at most two partition fields are supported')
  const fields = spec.partition.map((f) => partitionKey(spec, batch, f))
  const [f0, f1] = fields
  const n = batch.length
  const part = batch.work('part', n, (m) => new Int32Array(m))
  const partitions: Record<string, Scalar | null>[] = []
  const index = new Map<string, number>()
  let last0 = Number.NaN
  let last1 = Number.NaN
  let lastIndex = -1
  for (let i = 0; i < n; i++) {
    const k0 = keyAt(f0, i)
    const k1 = keyAt(f1, i)
    if (k0 === last0 && k1 === last1) {
      part[i] = lastIndex // NaN never equals, so null keys always take the slow path
      continue
    }
    const values = fields.map((f, j) => {
      const k = j === 0 ? k0 : k1
      return Number.isNaN(k) ? null : f.value(k)
    })
    const id = values.map((v) => `${typeof v}:${String(v)}`).join('\u0000')
    let p = index.get(id)
    if (p === undefined) {
      p = partitions.length
      index.set(id, p)
      const tuple: Record<string, Scalar | null> = {}
      spec.partition.forEach((f, j) => {
        tuple[f.name] = values[j] as Scalar | null
      })
      partitions.push(tuple)
    }
    part[i] = p
    last0 = k0
    last1 = k1
    lastIndex = p
  }
  return { part, partitions }
}

/**
 * Whether ids rise strictly per (exchange, symbol) — then the batch repeats no key — and the
 * string bounds of numeric ids per partition.
 */
function idFacts(spec: TableSpec, batch: ColumnBatch, part: Int32Array) {
  const key = spec.uniqueKey
  if (!key) return { mayHaveDuplicates: false, numericIds: null }
  const idCol = batch.columns.findIndex((c) => c.name === key[key.length - 1])
  const ids = batch.columns[idCol]?.ids ?? null
  const strings = batch.columns[idCol]?.values as (string | null)[]
  const groups = key.slice(0, -1).map((name) => batch.columns.find((c) => c.name === name) as BatchColumn)
  if (!ids) return { mayHaveDuplicates: true, numericIds: null }
  const n = batch.length
  let numeric = true
  for (let i = 0; i < n && numeric; i++) numeric = !Number.isNaN(ids[i] as number)
  let mayHaveDuplicates = !numeric || groups.length !== 2 || !groups.every((g) => g.kind === 'code')
  if (!mayHaveDuplicates) {
    const a = (groups[0] as BatchColumn).values as Int32Array
    const b = (groups[1] as BatchColumn).values as Int32Array
    const width = (groups[1] as BatchColumn).dict.length + 1
    const last = new Float64Array(((groups[0] as BatchColumn).dict.length + 1) * width).fill(Number.NEGATIVE_INFINITY)
    for (let i = 0; i < n && !mayHaveDuplicates; i++) {
      const slot = ((a[i] as number) + 1) * width + (b[i] as number) + 1
      const id = ids[i] as number
      if (!(id > (last[slot] as number))) mayHaveDuplicates = true
      last[slot] = id
    }
  }
  if (!numeric) return { mayHaveDuplicates, numericIds: null }
  // Canonical decimals of one length compare like numbers; across lengths, as strings (Iceberg's order).
  const min: (string | undefined)[] = []
  const max: (string | undefined)[] = []
  for (let i = 0; i < n; i++) {
    const p = part[i] as number
    const s = strings[i] as string
    const lo = min[p]
    if (lo === undefined) {
      min[p] = s
      max[p] = s
    } else if (s < lo) min[p] = s
    else if (s > (max[p] as string)) max[p] = s
  }
  const bounds = new Map<number, { min: string; max: string }>()
  min.forEach((lo, p) => {
    if (lo !== undefined) bounds.set(p, { min: lo, max: max[p] as string })
  })
  return { mayHaveDuplicates, numericIds: { column: idCol, bounds } }
}

/**
 * Rows in file order. Feeds deliver rows nearly sorted: one pass buckets them by (partition, lead
 * string column), a counting sort places the buckets, and a bucket is sorted only when its time
 * column is not already non-decreasing. Null when the sort columns are not (string?, number).
 */
function fileOrder(
  spec: TableSpec,
  batch: ColumnBatch,
  part: Int32Array,
  partitions: number,
): { order: Uint32Array; start: Int32Array } | null {
  const cols = spec.sortBy.map((name) => batch.columns.find((c) => c.name === name) as BatchColumn)
  const lead = cols[0]?.kind === 'code' ? (cols[0] as BatchColumn) : null
  const time = lead ? cols[1] : cols[0]
  const numeric = time !== undefined && (time.kind === 'ts' || time.kind === 'long' || time.kind === 'int' || time.kind === 'double')
  if (cols.length !== (lead ? 1 : 0) + (numeric ? 1 : 0) || cols.length === 0) return null
  const n = batch.length
  // Lead codes ranked in UTF-8 byte order (DuckDB's), null last.
  const dict = lead?.dict ?? []
  const rankOf = new Int32Array(dict.length + 1)
  dict
    .map((s, code) => ({ s, code }))
    .sort((x, y) => compareStrings(x.s, y.s))
    .forEach((x, r) => {
      rankOf[x.code + 1] = r
    })
  rankOf[0] = dict.length
  const width = dict.length + 1
  const codes = lead ? (lead.values as Int32Array) : null
  const buckets = partitions * width
  const count = new Int32Array(buckets + 1)
  const bucketOf = (i: number) => (part[i] as number) * width + (codes ? (rankOf[(codes[i] as number) + 1] as number) : 0)
  for (let i = 0; i < n; i++) (count[bucketOf(i) + 1] as number)++
  for (let b = 0; b < buckets; b++) (count[b + 1] as number) += count[b] as number
  const start = new Int32Array(partitions + 1)
  for (let p = 0; p <= partitions; p++) start[p] = count[p * width] as number
  const next = count.slice(0, buckets)
  const order = batch.work('order', n, (m) => new Uint32Array(m))
  for (let i = 0; i < n; i++) order[(next[bucketOf(i)] as number)++] = i
  if (!numeric || !time) return { order, start }
  const t = time.values as Float64Array | Int32Array
  const nulls = time.nulls
  const at = (i: number) => (nulls !== null && nulls[i] === 1 ? Number.POSITIVE_INFINITY : (t[i] as number))
  for (let b = 0; b < buckets; b++) {
    const begin = count[b] as number
    const end = count[b + 1] as number
    let sorted = true
    for (let k = begin + 1; k < end && sorted; k++) sorted = at(order[k] as number) >= at(order[k - 1] as number)
    if (!sorted) order.subarray(begin, end).sort((x, y) => at(x) - at(y) || x - y)
  }
  return { order, start }
}

export function planBatch(spec: TableSpec, batch: ColumnBatch): BatchPlan {
  const { part, partitions } = partitionRows(spec, batch)
  const { mayHaveDuplicates, numericIds } = idFacts(spec, batch, part)
  // Duplicates keep the first row in input order, so such a batch is not reordered here.
  const layout = mayHaveDuplicates ? null : fileOrder(spec, batch, part, partitions.length)
  return { part, partitions, mayHaveDuplicates, order: layout?.order ?? null, start: layout?.start ?? null, numericIds }
}
