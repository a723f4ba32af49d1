import { MICROS_PER_DAY } from '@k2/core'
import { scanner } from './row-access.js'
import type { Row } from './stage.js'
import type { TableSpec } from './table-spec.js'
import { applyTransform, type Scalar } from './values.js'

/** The pass over a batch before staging: partition of each row, id facts for dedup and typing. */

/** Partition index per row: the previous row's tuple is reused while the source values repeat. */
class Partitioner {
  readonly partitions: Record<string, Scalar | null>[] = []
  readonly #index = new Map<string, number>()
  #last: unknown[] = []
  #lastIndex = -1
  constructor(private readonly spec: TableSpec) {
    if (spec.partition.length > 2) throw new Error('at most two partition fields are supported')
  }

  /** The partition of a row whose partition source values are `s0`, `s1`. */
  of(s0: unknown, s1: unknown): number {
    const fields = this.spec.partition
    if (this.#lastIndex >= 0) {
      // Fast path: same identity value, or a time inside the current day, as the previous row.
      let same = true
      for (let i = 0; i < fields.length && same; i++) {
        const raw = (i === 0 ? s0 : s1) ?? null
        const f = fields[i] as TableSpec['partition'][number]
        if (f.transform === 'identity') same = raw === this.#last[i]
        else if (f.transform === 'day' && typeof raw === 'number') {
          const start = (this.#last[i] as number) * MICROS_PER_DAY
          same = raw >= start && raw < start + MICROS_PER_DAY
        } else same = applyTransform(f.transform, raw as Scalar | null) === this.#last[i]
      }
      if (same) return this.#lastIndex
    }
    const values = fields.map((f, k) => applyTransform(f.transform, ((k === 0 ? s0 : s1) ?? null) as Scalar | null))
    const key = values.map((v) => `${typeof v}:${String(v)}`).join('\u0000')
    let idx = this.#index.get(key)
    if (idx === undefined) {
      idx = this.partitions.length
      this.#index.set(key, idx)
      const tuple: Record<string, Scalar | null> = {}
      fields.forEach((f, i) => {
        tuple[f.name] = values[i] as Scalar | null
      })
      this.partitions.push(tuple)
    }
    this.#last = values
    this.#lastIndex = idx
    return idx
  }
}

/**
 * The value of a canonical decimal id below 10^15 ("0", "42"; not "042", "4e2", " 4"), else NaN.
 * A digit loop: `Number(s)` and a regex cost ~200 ns each on 10-digit strings.
 */
function parseId(s: string): number {
  const n = s.length
  if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(0) === 48)) return Number.NaN
  let x = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return Number.NaN
    x = x * 10 + c
  }
  return x
}

/**
 * One pass over the rows: partition index per row, and for a table with a unique key whether ids
 * rise strictly per (exchange, symbol) (then the batch has no duplicates) and whether every id is
 * a canonical decimal below 10^15 (then ids are staged as BIGINT, with their string bounds here).
 */
export function prepass(spec: TableSpec, rows: readonly Row[]) {
  const key = spec.uniqueKey
  const partitioner = new Partitioner(spec)
  const count = rows.length
  const part = new Int32Array(count)
  const keyIdx = key ? spec.columns.map((c) => c.name).indexOf(key[2] as string) : -1
  let mayHaveDuplicates = false
  let numericIds = key !== null
  const ids = key ? new Float64Array(count) : null
  const bounds = new Map<number, { min: string; max: string }>()
  const last = new Map<unknown, Map<unknown, { id: number }>>()
  const sources = spec.partition.map((p) => p.sourceColumn)
  // One generated loop reads the few columns needed and calls back once per row (no arrays).
  scanner([sources[0] ?? null, sources[1] ?? null, key?.[0] ?? null, key?.[1] ?? null, key?.[2] ?? null])(
    rows,
    (i, s0, s1, a, b, idValue) => {
      const p = partitioner.of(s0, s1)
      part[i] = p
      if (!key || !ids) return
      const s = idValue as string
      const id = parseId(s)
      ids[i] = id
      if (numericIds && Number.isNaN(id)) numericIds = false
      if (numericIds) {
        const bd = bounds.get(p)
        if (!bd) bounds.set(p, { min: s, max: s })
        else if (s < bd.min) bd.min = s
        else if (s > bd.max) bd.max = s
      }
      if (!mayHaveDuplicates) {
        let inner = last.get(a)
        if (!inner) {
          inner = new Map()
          last.set(a, inner)
        }
        const prev = inner.get(b)
        if (!prev) inner.set(b, { id })
        else if (!(id > prev.id)) mayHaveDuplicates = true
        else prev.id = id
        if (!Number.isFinite(id)) mayHaveDuplicates = true
      }
    },
  )
  return {
    partitions: partitioner.partitions,
    part,
    mayHaveDuplicates,
    numericIds: numericIds ? { col: keyIdx, ids: ids as Float64Array, bounds } : null,
  }
}
