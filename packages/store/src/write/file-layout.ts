import { MICROS_PER_DAY, type Scalar } from '@k2/core'
import { monthOf } from '../iceberg/partition-transforms.js'
import { compareStrings } from '../iceberg/single-value.js'
import type { TableSpec } from '../iceberg/table-spec.js'
import type { BatchColumn, ColumnBatch } from './column-batch.js'
import type { BatchPlan } from './staged-rows.js'

/**
 * How a batch is laid out in the lake, computed from its columns: the partition of each row, the
 * order rows are written in (by partition, then the table's sort columns, nulls last), whether the
 * batch may repeat a unique key, and whether its ids can be staged as numbers.
 */

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

/** Each row's key under a field (a dictionary code or a day number, NaN for null), into `out`. */
function fillKeys(k: PartitionKey, n: number, out: Float64Array): void {
  if (k.codes !== null) {
    const codes = k.codes
    for (let i = 0; i < n; i++) out[i] = (codes[i] as number) < 0 ? Number.NaN : (codes[i] as number)
    return
  }
  const t = k.times as Float64Array
  for (let i = 0; i < n; i++) out[i] = Math.floor((t[i] as number) / MICROS_PER_DAY)
  const nulls = k.nulls
  if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = Number.NaN
}

/** Partition index per row; the previous row's index is reused while its keys repeat. */
function partitionRows(spec: TableSpec, batch: ColumnBatch): { part: Int32Array; partitions: Record<string, Scalar | null>[] } {
  if (spec.partition.length > 2) throw new Error('at most two partition fields are supported')
  const fields = spec.partition.map((f) => partitionKey(spec, batch, f))
  const n = batch.length
  // Keys first, one tight loop per field: a per-row call that picks the field's kind cost 3×.
  const keys = [0, 1].map((j) => {
    const out = batch.work(`key${j}`, n, (m) => new Float64Array(m))
    const f = fields[j]
    if (f) fillKeys(f, n, out)
    else out.fill(0)
    return out
  })
  const keys0 = keys[0] as Float64Array
  const keys1 = keys[1] as Float64Array
  const part = batch.work('part', n, (m) => new Int32Array(m))
  const partitions: Record<string, Scalar | null>[] = []
  const index = new Map<string, number>()
  let last0 = Number.NaN
  let last1 = Number.NaN
  let lastIndex = -1
  for (let i = 0; i < n; i++) {
    const k0 = keys0[i] as number
    const k1 = keys1[i] as number
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
function idFacts(spec: TableSpec, batch: ColumnBatch, part: Int32Array, parts: number) {
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
  return { mayHaveDuplicates, numericIds: { column: idCol, bounds: idBounds(ids, strings, part, n, parts) } }
}

const digits = (x: number) => String(x).length // below 10^15: plain digits, no exponent

/**
 * String bounds (Iceberg's order) of canonical decimal ids per partition. Ids of one length
 * compare like their numbers, so a partition whose smallest and largest id have as many digits
 * takes its bounds from the numbers; only other partitions compare the strings.
 */
function idBounds(ids: Float64Array, strings: (string | null)[], part: Int32Array, n: number, parts: number) {
  const lo = new Float64Array(parts).fill(Number.POSITIVE_INFINITY)
  const hi = new Float64Array(parts).fill(Number.NEGATIVE_INFINITY)
  for (let i = 0; i < n; i++) {
    const p = part[i] as number
    const x = ids[i] as number
    if (x < (lo[p] as number)) lo[p] = x
    if (x > (hi[p] as number)) hi[p] = x
  }
  const bounds = new Map<number, { min: string; max: string }>()
  const mixed: number[] = []
  for (let p = 0; p < parts; p++) {
    const a = lo[p] as number
    const b = hi[p] as number
    if (a === Number.POSITIVE_INFINITY) continue
    if (digits(a) === digits(b)) bounds.set(p, { min: String(a), max: String(b) })
    else mixed.push(p)
  }
  if (mixed.length === 0) return bounds
  const want = new Uint8Array(parts)
  for (const p of mixed) want[p] = 1
  for (let i = 0; i < n; i++) {
    const p = part[i] as number
    if (want[p] !== 1) continue
    const s = strings[i] as string
    const bd = bounds.get(p)
    if (!bd) bounds.set(p, { min: s, max: s })
    else if (s < bd.min) bd.min = s
    else if (s > bd.max) bd.max = s
  }
  return bounds
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
  const bucket = batch.work('bucket', n, (m) => new Int32Array(m))
  if (codes === null) bucket.set(part)
  else for (let i = 0; i < n; i++) bucket[i] = (part[i] as number) * width + (rankOf[(codes[i] as number) + 1] as number)
  for (let i = 0; i < n; i++) (count[(bucket[i] as number) + 1] as number)++
  for (let b = 0; b < buckets; b++) (count[b + 1] as number) += count[b] as number
  const start = new Int32Array(partitions + 1)
  for (let p = 0; p <= partitions; p++) start[p] = count[p * width] as number
  const next = count.slice(0, buckets)
  const order = batch.work('order', n, (m) => new Uint32Array(m))
  const t = numeric && time ? (time.values as Float64Array | Int32Array) : null
  const nulls = time?.nulls ?? null
  const at = (i: number) => (nulls !== null && nulls[i] === 1 ? Number.POSITIVE_INFINITY : ((t as Float64Array | Int32Array)[i] as number))
  // Placing rows in input order is each bucket's order so far: note buckets whose time goes back.
  const last = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY)
  const unsorted = new Uint8Array(buckets)
  if (t === null) for (let i = 0; i < n; i++) order[(next[bucket[i] as number] as number)++] = i
  else if (nulls === null) placeSorted(bucket, t, n, order, next, last, unsorted)
  else
    for (let i = 0; i < n; i++) {
      const b = bucket[i] as number
      order[(next[b] as number)++] = i
      const v = at(i)
      if (v < (last[b] as number)) unsorted[b] = 1
      last[b] = v
    }
  for (let b = 0; b < buckets; b++) {
    if (unsorted[b] === 1) order.subarray(count[b] as number, count[b + 1] as number).sort((x, y) => at(x) - at(y) || x - y)
  }
  return { order, start }
}

/** The placing loop for a time column without nulls (the common case), kept monomorphic. */
function placeSorted(
  bucket: Int32Array,
  t: Float64Array | Int32Array,
  n: number,
  order: Uint32Array,
  next: Int32Array,
  last: Float64Array,
  unsorted: Uint8Array,
): void {
  for (let i = 0; i < n; i++) {
    const b = bucket[i] as number
    order[(next[b] as number)++] = i
    const v = t[i] as number
    if (v < (last[b] as number)) unsorted[b] = 1
    last[b] = v
  }
}

export function planBatch(spec: TableSpec, batch: ColumnBatch): BatchPlan {
  const { part, partitions } = partitionRows(spec, batch)
  const { mayHaveDuplicates, numericIds } = idFacts(spec, batch, part, partitions.length)
  // Duplicates keep the first row in input order, so such a batch is not reordered here.
  const layout = mayHaveDuplicates ? null : fileOrder(spec, batch, part, partitions.length)
  return { part, partitions, mayHaveDuplicates, order: layout?.order ?? null, start: layout?.start ?? null, numericIds }
}
