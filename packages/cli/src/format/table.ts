import { cellText, type ResultSet, type TimeFormat } from './cells.js'

export interface TableOptions {
  /** Terminal width: wide columns are cut with "…" so a row fits on one line. */
  columns: number
  times: TimeFormat
  /** Rows shown; beyond it the middle rows are elided, as DuckDB's CLI does (default 40). */
  maxRows?: number
}

const NULL_TEXT = 'NULL'
/** Text cells longer than this are cut with "…" (the whole value is in csv/json). */
const MAX_TEXT = 32

/**
 * A boxed table, as DuckDB's CLI draws a result: a header, numbers right-aligned, NULL for nulls,
 * columns cut to fit the terminal, and a footer counting rows (and the columns).
 */
export function renderTable(set: ResultSet, opts: TableOptions): string[] {
  if (set.columns.length === 0) return ['(no columns)']
  const maxRows = opts.maxRows ?? 40
  const all = set.rows
  const shown = all.length <= maxRows ? all : [...all.slice(0, Math.ceil(maxRows / 2)), ...all.slice(all.length - Math.floor(maxRows / 2))]
  const elideAt = all.length <= maxRows ? -1 : Math.ceil(maxRows / 2)
  const texts = shown.map((r) => set.columns.map((c) => visible(cellText(r[c], set.timeColumns.has(c), opts.times))))
  const numericOf = set.columns.map(
    (c) => shown.some((r) => typeof r[c] === 'number' || typeof r[c] === 'bigint') && !set.timeColumns.has(c),
  )
  const full = set.columns.map((c, i) => Math.max(c.length, ...texts.map((row) => (row[i] ?? NULL_TEXT).length), 1))
  // Long text is cut first; numbers and times are never cut. Columns that still do not fit are left
  // out from the right and named in the footer, as DuckDB's CLI does.
  const capped = full.map((w, i) => (numericOf[i] || set.timeColumns.has(set.columns[i] ?? '') ? w : Math.min(w, MAX_TEXT)))
  let keep = capped.length
  while (keep > 1 && frameWidth(capped.slice(0, keep)) + (keep < capped.length ? 4 : 0) > opts.columns) keep--
  const widths = capped.slice(0, keep)
  const hidden = set.columns.slice(keep)
  const numeric = numericOf.slice(0, keep)

  const cut = (text: string, w: number) => (text.length <= w ? text : `${text.slice(0, Math.max(0, w - 1))}…`)
  const pad = (text: string, w: number, right: boolean) => (right ? text.padStart(w) : text.padEnd(w))
  const more = hidden.length ? ['─'.repeat(3)] : []
  const line = (l: string, m: string, r: string) => `${l}${[...widths.map((w) => '─'.repeat(w + 2)), ...more].join(m)}${r}`
  const row = (cells: readonly (string | null)[], header = false) =>
    `│${[...widths.map((w, i) => ` ${pad(cut(cells[i] ?? NULL_TEXT, w), w, !header && (numeric[i] ?? false))} `), ...(hidden.length ? [' … '] : [])].join('│')}│`

  const out = [line('┌', '┬', '┐'), row(set.columns, true), line('├', '┼', '┤')]
  texts.forEach((c, i) => {
    if (i === elideAt) out.push(row(widths.map(() => '·')))
    out.push(row(c))
  })
  out.push(line('└', '┴', '┘'))
  const count = `${all.length} row${all.length === 1 ? '' : 's'}${elideAt >= 0 ? ` (${shown.length} shown)` : ''}`
  const cols = `${set.columns.length} column${set.columns.length === 1 ? '' : 's'}`
  out.push(
    `  ${count}  ${cols}${hidden.length ? ` (${hidden.length} not shown: ${hidden.join(', ')}; widen the terminal, --select fewer or --format csv)` : ''}`,
  )
  return out
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters that would break the box
const CONTROL = /[\u0000-\u001F\u007F]/g
const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' }

/** Line breaks, tabs and other controls shown as escapes, so a cell stays on its line of the box. */
function visible(text: string | null): string | null {
  return text === null ? null : text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Characters a table of these column widths takes: "│ " … " │" around each cell. */
function frameWidth(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b + 3, 1)
}
