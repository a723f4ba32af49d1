import { K2Error } from './errors.js'
import { toIso } from './time.js'

/**
 * Notebook display: rows as a bounded HTML table with a text/plain fallback, and the hook through
 * which a Jupyter kernel for JavaScript shows an object.
 *
 * Deno's Jupyter kernel shows the last expression of a cell by calling its
 * `[Symbol.for('Jupyter.display')]()` method, if it has one, and sending the MIME bundle it returns
 * (the method may be async). {@link withDisplay} attaches that method without changing what the
 * object is: the property is non-enumerable, so spreading, `Object.keys`, `JSON.stringify` and test
 * equality do not see it.
 *
 * ```ts
 * const candles = await lake.query('silver.trades').bucket('1m', { as: 'start' }).aggregate(…).rows()
 * displayTable(candles, { micros: ['start'] }) // last expression of a cell: an HTML table
 * ```
 *
 * Portable: no `node:*` imports, no DOM; the HTML is built as a string and every value is escaped.
 * @module
 */

/** The key JavaScript Jupyter kernels (Deno's) look up on a cell's value; `Symbol.for`, so every copy of K2 agrees. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display') as typeof JUPYTER_DISPLAY

/** What a display method returns: one rendering per MIME type; the frontend picks the richest it can show. */
export interface MimeBundle {
  readonly 'text/html': string
  readonly 'text/plain': string
}

export interface TableOptions {
  /** Rows shown; the rest are counted in a last line ("… 12 more rows"). Default 20. */
  maxRows?: number
  /** Columns in this order (default: the keys of the shown rows, in the order first seen). */
  columns?: readonly string[]
  /** Columns holding epoch microseconds (K2 times), shown as ISO-8601 UTC. */
  micros?: readonly string[]
  /** A line shown above the table (e.g. which snapshot the rows were read from). */
  caption?: string
  /** The number of rows in all, when `rows` holds only the first few of a bigger result. */
  totalRows?: number
  /** Longest cell, in characters, before it is cut with "…". Default 200. */
  maxCellChars?: number
}

const DEFAULT_MAX_ROWS = 20
const DEFAULT_MAX_CELL = 200

/** The cell of a row that has no such key (distinct from a `null` value). */
const ABSENT = Symbol('absent')

/**
 * `rows` as an HTML table and as aligned plain text, bounded to `maxRows` rows. A row that is not an
 * object shows in one column, `value`. Cells: `null`/`undefined` in italics (so they differ from the
 * strings "null"/"undefined"), bigints in full, Dates as ISO-8601, `micros` columns as ISO times,
 * objects and arrays as JSON (bigints as digits), every cell cut at `maxCellChars`.
 */
export function renderTable(rows: readonly unknown[], opts: TableOptions = {}): MimeBundle {
  const maxRows = checkCount('maxRows', opts.maxRows ?? DEFAULT_MAX_ROWS)
  const maxCell = checkCount('maxCellChars', opts.maxCellChars ?? DEFAULT_MAX_CELL)
  const shown = rows.slice(0, maxRows).map(asRecord)
  const total = Math.max(opts.totalRows ?? rows.length, rows.length)
  const columns = opts.columns ?? columnsOf(shown)
  const micros = new Set(opts.micros ?? [])
  const cells = shown.map((row) => columns.map((c) => formatCell(Object.hasOwn(row, c) ? row[c] : ABSENT, micros.has(c), maxCell)))
  const more = total - shown.length
  const footer = more > 0 ? `… ${more} more row${more === 1 ? '' : 's'} (${total} in all)` : rows.length === 0 ? '(no rows)' : ''
  return { 'text/html': html(columns, cells, opts.caption, footer), 'text/plain': plain(columns, cells, opts.caption, footer) }
}

/** The fields of one object as a two-column table (`field`, `value`), e.g. a lineage or a plan. */
export function renderRecord(record: object, opts: Omit<TableOptions, 'columns'> = {}): MimeBundle {
  const micros = new Set(opts.micros ?? [])
  const rows = Object.entries(record).map(([field, value]) => ({
    field,
    value: micros.has(field) && isMicrosValue(value) ? toIso(value) : value,
  }))
  return renderTable(rows, { ...opts, micros: [], columns: ['field', 'value'] })
}

/**
 * Attaches a non-enumerable `[Symbol.for('Jupyter.display')]()` method to `target` and returns the
 * same object. `render` runs (with `this` = `target`) each time the object is displayed, so it shows the object
 * as it is then.
 * Attaching again replaces the earlier method. A frozen or sealed object cannot take one (VALIDATION).
 */
export function withDisplay<T extends object>(target: T, render: (this: T) => MimeBundle | Promise<MimeBundle>): T {
  if (!Object.isExtensible(target))
    throw new K2Error('VALIDATION', 'withDisplay needs an object it can add a property to; this one is frozen or sealed: pass a copy')
  Object.defineProperty(target, JUPYTER_DISPLAY, {
    value: () => render.call(target), // bound: a kernel may call it detached
    enumerable: false,
    configurable: true,
    writable: false,
  })
  return target
}

/** `rows` with a display method that renders them as a table ({@link renderTable}); returns `rows` itself. */
export function displayTable<T extends readonly unknown[]>(rows: T, opts: TableOptions = {}): T {
  return withDisplay(rows, function (this: T) {
    return renderTable(this, opts)
  })
}

function checkCount(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new K2Error('VALIDATION', `${name} must be a whole number ≥ 0, got ${String(n)}`)
  return n
}

function asRecord(row: unknown): Record<string, unknown> {
  return typeof row === 'object' && row !== null && !(row instanceof Date) ? (row as Record<string, unknown>) : { value: row }
}

function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>()
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key)
  return [...seen]
}

interface Cell {
  text: string
  /** null, undefined or absent: shown muted in HTML. */
  missing: boolean
  /** numbers and bigints: right-aligned. */
  numeric: boolean
}

function formatCell(value: unknown, micros: boolean, maxChars: number): Cell {
  const cell = (text: string, kind: 'text' | 'missing' | 'numeric' = 'text'): Cell => ({
    text: text.length > maxChars ? `${text.slice(0, maxChars)}…` : text,
    missing: kind === 'missing',
    numeric: kind === 'numeric',
  })
  if (value === ABSENT) return cell('', 'missing')
  if (value === null || value === undefined) return cell(String(value), 'missing')
  if (typeof value === 'number') return micros && isMicrosValue(value) ? cell(toIso(value)) : cell(String(value), 'numeric')
  if (typeof value === 'bigint') return cell(value.toString(), 'numeric')
  if (typeof value === 'string') return cell(value)
  if (typeof value === 'boolean' || typeof value === 'symbol') return cell(String(value))
  if (typeof value === 'function') return cell(`[function ${value.name || 'anonymous'}]`)
  if (value instanceof Date) return cell(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString())
  return cell(json(value))
}

function isMicrosValue(value: unknown): value is number {
  // toIso is exact for any safe integer of µs that a Date can hold (±8.64e15 ms)
  return typeof value === 'number' && Number.isSafeInteger(value)
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString()
      if (v instanceof Map) return Object.fromEntries(v)
      if (v instanceof Set) return [...v]
      return v
    })
  } catch {
    return Object.prototype.toString.call(value) // a cycle, or a toJSON that throws
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text as HTML element content or attribute value: `& < > " '` become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] as string)
}

function html(columns: readonly string[], rows: readonly Cell[][], caption: string | undefined, footer: string): string {
  const td = (c: Cell) => {
    const style = c.numeric ? ' style="text-align:right"' : c.missing ? ' style="color:#888;font-style:italic"' : ''
    return `<td${style}>${escapeHtml(c.text)}</td>`
  }
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')
  const cap = caption === undefined ? '' : `<caption style="text-align:left">${escapeHtml(caption)}</caption>`
  const foot = footer === '' ? '' : `<tfoot><tr><td colspan="${Math.max(columns.length, 1)}">${escapeHtml(footer)}</td></tr></tfoot>`
  return `<table class="k2-table">${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>${foot}</table>`
}

function plain(columns: readonly string[], rows: readonly Cell[][], caption: string | undefined, footer: string): string {
  // One line per row: control characters (newlines in SQL, tabs) would break the columns.
  const flat = (s: string) => s.replace(/\p{Cc}+/gu, ' ')
  const head = columns.map(flat)
  const body = rows.map((r) => r.map((c) => flat(c.text)))
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)))
  const pad = (s: string, i: number, right: boolean) => (right ? s.padStart(width[i] ?? 0) : s.padEnd(width[i] ?? 0))
  const line = (cells: string[]) => cells.join('  ').trimEnd()
  const lines = [
    ...(caption === undefined ? [] : [flat(caption)]),
    ...(columns.length === 0 ? [] : [line(head.map((h, i) => pad(h, i, false))), line(width.map((w) => '-'.repeat(w)))]),
    ...body.map((r, ri) => line(r.map((s, i) => pad(s, i, rows[ri]?.[i]?.numeric === true)))),
    ...(footer === '' ? [] : [footer]),
  ]
  return lines.join('\n')
}
