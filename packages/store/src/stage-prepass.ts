import { MICROS_PER_DAY } from '@k2/core'
import { picker } from './row-access.js'
import type { Row } from './stage.js'
import type { TableSpec } from './table-spec.js'
import { applyTransform, type Scalar } from './values.js'

/** The pass over a batch before staging: partition of each row, id facts for dedup and typing. */

/** Partition index per row: the previous row's tuple is reused while the source values repeat. */
class Partitioner {
  readonly partitions: Record<string, Scalar | null>[] = []
  readonly #index = new Map<string, number>()
  readonly #sources: unknown[][]
  #last: unknown[] = []
  #lastIndex = -1
  constructor(
    private readonly spec: TableSpec,
    sources: unknown[][],
  ) {
    this.#sources = sources
  }

  of(row: number): number {
    const fields = this.spec.partition
    if (this.#lastIndex >= 0) {
      // Fast path: same identity value, or a time inside the current day, as the previous row.
      let same = true
      for (let i = 0; i < fields.length && same; i++) {
        const raw = (this.#sources[i] as unknown[])[row] ?? null
        const f = fields[i] as TableSpec['partition'][number]
        if (f.transform === 'identity') same = raw === this.#last[i]
        else if (f.transform === 'day' && typeof raw === 'number') {
          const start = (this.#last[i] as number) * MICROS_PER_DAY
          same = raw >= start && raw < start + MICROS_PER_DAY
        } else same = applyTransform(f.transform, raw as Scalar | null) === this.#last[i]
      }
      if (same) return this.#lastIndex
    }
    const values = fields.map((f, k) => applyTransform(f.transform, ((this.#sources[k] as unknown[])[row] ?? null) as Scalar | null))
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
  const picked = picker([...spec.partition.map((p) => p.sourceColumn), ...(key ?? [])])(rows)
  const partitioner = new Partitioner(spec, picked.slice(0, spec.partition.length))
  const count = rows.length
  const part = new Int32Array(count)
  const keyIdx = key ? spec.columns.map((c) => c.name).indexOf(key[2] as string) : -1
  let mayHaveDuplicates = false
  let numericIds = key !== null
  const ids = key ? new Float64Array(count) : null
  const bounds = new Map<number, { min: string; max: string }>()
  const last = new Map<unknown, Map<unknown, { id: number }>>()
  const np = spec.partition.length
  const aCol = (picked[np] ?? []) as unknown[]
  const bCol = (picked[np + 1] ?? []) as unknown[]
  const idCol = (picked[np + 2] ?? []) as unknown[]
  for (let i = 0; i < count; i++) {
    const p = partitioner.of(i)
    part[i] = p
    if (!key || !ids) continue
    const s = idCol[i] as string
    const id = parseId(s)
    ids[i] = id
    if (numericIds && Number.isNaN(id)) numericIds = false
    if (numericIds) {
      const b = bounds.get(p)
      if (!b) bounds.set(p, { min: s, max: s })
      else if (s < b.min) b.min = s
      else if (s > b.max) b.max = s
    }
    if (!mayHaveDuplicates) {
      const a = aCol[i]
      const b = bCol[i]
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
  }
  return {
    partitions: partitioner.partitions,
    part,
    mayHaveDuplicates,
    numericIds: numericIds ? { col: keyIdx, ids: ids as Float64Array, bounds } : null,
  }
}
