import { K2Error } from '@k2/core'

/** A caller mistake: a `K2Error` with code `VALIDATION` whose message says what to do. */
export function invalid(message: string, details?: Record<string, unknown>): K2Error {
  return new K2Error('VALIDATION', message, details ? { details } : {})
}

/** Throws unless `ts` never decreases: rolling windows and "the previous quote" need time order. */
export function assertSorted(ts: Float64Array, what: string): void {
  for (let i = 1; i < ts.length; i++) {
    if ((ts[i] as number) < (ts[i - 1] as number)) {
      throw invalid(`${what} must be sorted by time: row ${i} (${ts[i]}) is earlier than row ${i - 1} (${ts[i - 1]}); sort by ts first`, {
        row: i,
      })
    }
  }
}

/** Throws unless every column has the length of the first. */
export function assertSameLength(columns: Record<string, { readonly length: number }>, what: string): number {
  const entries = Object.entries(columns)
  const n = entries[0]?.[1].length ?? 0
  for (const [name, col] of entries) {
    if (col.length !== n) {
      const lengths = Object.fromEntries(entries.map(([k, v]) => [k, v.length]))
      throw invalid(`${what}: column ${name} has ${col.length} values but ${entries[0]?.[0]} has ${n}; pass columns of equal length`, {
        lengths,
      })
    }
  }
  return n
}

/** Throws unless `n` is a whole number ≥ 1. */
export function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw invalid(`${what} must be a whole number >= 1, got ${n}`, { value: n })
}
