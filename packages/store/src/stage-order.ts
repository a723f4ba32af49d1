import { scanner } from './row-access.js'
import type { Row } from './stage.js'
import type { TableSpec } from './table-spec.js'
import { compareStrings } from './values.js'

/**
 * The order rows are staged in: by partition, then the table's sort columns (nulls last), so the
 * COPY writes each file sorted without an ORDER BY — DuckDB keeps insertion order, and its sort
 * was a third of the write. Feeds deliver rows nearly sorted: one pass buckets them by
 * (partition, leading string column), a counting sort places the buckets, and a bucket is sorted
 * only when its time column is not already non-decreasing.
 */

/** A permutation of row indexes in staging order, or null when the layout needs DuckDB's ORDER BY. */
export function stageOrder(spec: TableSpec, rows: readonly Row[], part: Int32Array): Uint32Array | null {
  const types = spec.sortBy.map((name) => spec.columns.find((c) => c.name === name)?.type)
  const leadString = types[0] === 'string'
  const timeType = leadString ? types[1] : types[0]
  const numeric = timeType === 'timestamptz' || timeType === 'long' || timeType === 'int' || timeType === 'double'
  if (types.length > 2 || (types.length === 2 && (!leadString || !numeric)) || (types.length === 1 && !leadString && !numeric)) return null
  const n = rows.length
  const bucket = new Int32Array(n)
  const time = numeric ? new Float64Array(n) : null
  const ids = new Map<number, Map<unknown, number>>() // partition → lead value → bucket
  const keys: { p: number; lead: string | null }[] = []
  let lastP = -1
  let lastLead: unknown
  let lastBucket = -1
  const leadName = leadString ? (spec.sortBy[0] as string) : null
  const timeName = numeric ? (spec.sortBy[leadString ? 1 : 0] as string) : null
  scanner([leadName, timeName, null, null, null])(rows, (i, lead, t) => {
    const p = part[i] as number
    if (p !== lastP || lead !== lastLead) {
      let inner = ids.get(p)
      if (!inner) {
        inner = new Map()
        ids.set(p, inner)
      }
      const v = leadString ? (lead ?? null) : null
      let b = inner.get(v)
      if (b === undefined) {
        b = keys.length
        inner.set(v, b)
        keys.push({ p, lead: v as string | null })
      }
      lastP = p
      lastLead = lead
      lastBucket = b
    }
    bucket[i] = lastBucket
    if (time) time[i] = t === null || t === undefined ? Number.POSITIVE_INFINITY : (t as number)
  })
  // Bucket ranks: partition, then the lead value in UTF-8 byte order (DuckDB's), nulls last.
  const ranked = keys
    .map((k, b) => ({ ...k, b }))
    .sort((x, y) => x.p - y.p || (x.lead === y.lead ? 0 : x.lead === null ? 1 : y.lead === null ? -1 : compareStrings(x.lead, y.lead)))
  const start = new Int32Array(keys.length + 1)
  for (let i = 0; i < n; i++) (start[(bucket[i] as number) + 1] as number)++
  const offset = new Int32Array(keys.length)
  let acc = 0
  for (const r of ranked) {
    offset[r.b] = acc
    acc += start[r.b + 1] as number
  }
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const b = bucket[i] as number
    order[(offset[b] as number)++] = i
  }
  if (!time) return order
  for (const r of ranked) {
    const end = offset[r.b] as number
    const begin = end - (start[r.b + 1] as number)
    let sorted = true
    for (let k = begin + 1; k < end && sorted; k++)
      sorted = (time[order[k] as number] as number) >= (time[order[k - 1] as number] as number)
    if (!sorted) order.subarray(begin, end).sort((a, b) => (time[a] as number) - (time[b] as number) || a - b)
  }
  return order
}
