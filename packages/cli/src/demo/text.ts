import { toIso } from '@k2/core'

/** A plain-text table, indented two spaces; numbers are right-aligned. */
export function table(rows: readonly Record<string, unknown>[]): string[] {
  const first = rows[0]
  if (!first) return ['  (no rows)']
  const cols = Object.keys(first)
  const cell = (v: unknown) => (v == null ? '' : typeof v === 'number' ? count(v) : String(v))
  const right = cols.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] == null))
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => (right[i] ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0)))
      .join('  ')
      .trimEnd()}`
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))]
}

/** 12,345 (integers) or the number as it is. */
export function count(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(n)
}

/** A price with two decimals and thousands separators. */
export function price(n: number | null | undefined): string {
  return n == null ? '' : n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** `HH:MM` UTC of epoch µs; with seconds when asked. */
export function clock(us: number | null | undefined, seconds = false): string {
  return us == null ? '' : toIso(us).slice(11, seconds ? 19 : 16)
}

/** A relative difference in basis points, one decimal. */
export function bp(relative: number): string {
  return Number.isNaN(relative) ? 'n/a' : `${(relative * 10_000).toFixed(1)} bp`
}

export const mark = (ok: boolean) => (ok ? '✓' : '✗')
