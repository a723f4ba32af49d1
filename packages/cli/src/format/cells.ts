import { toIso } from '@k2/core'

/** A result to print: its columns in order, which of them hold epoch µs times, and its rows. */
export interface ResultSet {
  readonly columns: readonly string[]
  /** Columns holding epoch µs (shown as ISO-8601 UTC unless the caller asks for µs). */
  readonly timeColumns: ReadonlySet<string>
  readonly rows: readonly Record<string, unknown>[]
}

/** How times print: ISO-8601 UTC with µs (default) or the epoch µs number the lake stores. */
export type TimeFormat = 'iso' | 'us'

/** A value as text for a table or CSV cell; null is `null` (the caller decides how to show it). */
export function cellText(value: unknown, isTime: boolean, times: TimeFormat): string | null {
  if (value === null || value === undefined) return null
  if (isTime && typeof value === 'number' && times === 'iso') return toIso(value)
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (value instanceof Date) return value.toISOString()
  return JSON.stringify(value, jsonReplacer)
}

/** JSON.stringify replacer: bigints (64-bit ids) as decimal strings, as the lake's JSON does. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/** A row for JSON output: time columns as ISO strings unless times are µs; everything else as is. */
export function jsonRow(set: ResultSet, row: Record<string, unknown>, times: TimeFormat): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of set.columns) {
    const v = row[c]
    Object.defineProperty(out, c, {
      value: times === 'iso' && set.timeColumns.has(c) && typeof v === 'number' ? toIso(v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}
