import type { BatchColumn, ColumnBatch } from './column-batch.js'

/**
 * A batch's rows as table rows again (snake_case columns, times as epoch µs): what a writer hands
 * back when a batch can never be committed, so the caller holds every row it gave.
 */
export function batchRows(batch: ColumnBatch): Record<string, unknown>[] {
  const n = batch.length
  const cols = batch.columns
  const out = new Array<Record<string, unknown>>(n)
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {}
    for (const c of cols) row[c.name] = valueAt(c, i)
    out[i] = row
  }
  return out
}

function valueAt(c: BatchColumn, i: number): unknown {
  if (c.kind === 'code') {
    const code = (c.values as Int32Array)[i] as number
    return code < 0 ? null : c.dict[code]
  }
  if (c.kind === 'string') return (c.values as (string | null)[])[i] ?? null
  if (c.nulls?.[i] === 1) return null
  const v = (c.values as Float64Array | Int32Array | Uint8Array)[i] as number
  return c.kind === 'bool' ? v === 1 : v
}
