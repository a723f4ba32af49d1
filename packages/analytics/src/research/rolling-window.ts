import { parseDuration } from '@k2/core'
import { assertCount, assertSorted, invalid } from './validation.js'

/**
 * A rolling window over time-ordered rows, ending at (and including) each row:
 * - `{ time }`: a duration (`'5m'`, `'30s'`, or µs): the rows with ts in **(t − time, t]**, left edge
 *   exclusive, right edge inclusive, like pandas `rolling('5min')` (closed='right'). Always has a value.
 * - `{ count }`: the last `count` rows, this one included; NaN until `count` rows exist (pandas'
 *   default `min_periods = window`).
 */
export type RollingWindow = { time: string | number } | { count: number }

/** A resolved window: `startOf(i)` is the first row of the window ending at row i, or −1 when incomplete. */
export interface ResolvedWindow {
  kind: 'time' | 'count'
  /** Width in µs for time windows. */
  width: number
  starts: Int32Array
}

/** The first row of each row's window (rows must be sorted by `ts`). */
export function resolveWindow(ts: Float64Array, window: RollingWindow, what: string): ResolvedWindow {
  const starts = new Int32Array(ts.length)
  if (!window || !('count' in window || 'time' in window)) throw invalid(`${what}: pass a window { time: '5m' } or { count: 100 }`)
  assertSorted(ts, what)
  if ('count' in window) {
    assertCount(window.count, `${what}: window count`)
    for (let i = 0; i < ts.length; i++) starts[i] = i - window.count + 1 >= 0 ? i - window.count + 1 : -1
    return { kind: 'count', width: 0, starts }
  }
  const width = parseDuration(window.time)
  if (width < 1) throw invalid(`${what}: a time window must be at least 1 µs, got ${String(window.time)}`)
  let j = 0
  for (let i = 0; i < ts.length; i++) {
    const left = (ts[i] as number) - width
    while ((ts[j] as number) <= left) j++
    starts[i] = j
  }
  return { kind: 'time', width, starts }
}

/** Indexes of the rows whose every listed column is finite: the rows a rolling function uses. */
export function finiteRows(...columns: Float64Array[]): Int32Array {
  const n = columns[0]?.length ?? 0
  const keep = new Int32Array(n)
  let kept = 0
  for (let i = 0; i < n; i++) {
    let ok = true
    for (const c of columns) if (!Number.isFinite(c[i])) ok = false
    if (ok) keep[kept++] = i
  }
  return kept === n ? keep : keep.slice(0, kept)
}

/** `values` at `rows`, as a new array. */
export function pick(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length)
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k] as number] as number
  return out
}

/** A result for all `n` input rows: `compact[k]` at `rows[k]`, NaN at the rows that were left out. */
export function scatter(compact: Float64Array, rows: Int32Array, n: number): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN)
  for (let k = 0; k < rows.length; k++) out[rows[k] as number] = compact[k] as number
  return out
}
