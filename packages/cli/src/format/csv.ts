import { cellText, type ResultSet, type TimeFormat } from './cells.js'

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(text: string | null): string {
  if (text === null) return ''
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The result as CSV lines: a header, then one line per row; null is an empty field. */
export function* csvLines(set: ResultSet, times: TimeFormat): Generator<string> {
  yield set.columns.map(csvField).join(',')
  for (const r of set.rows) yield set.columns.map((c) => csvField(cellText(r[c], set.timeColumns.has(c), times))).join(',')
}

/** TSV as `gh` prints when piped: tabs between fields; tabs, line breaks and backslashes in a field escaped. */
export function* tsvLines(set: ResultSet, times: TimeFormat): Generator<string> {
  const esc = (t: string | null) => (t ?? '').replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
  yield set.columns.map(esc).join('\t')
  for (const r of set.rows) yield set.columns.map((c) => esc(cellText(r[c], set.timeColumns.has(c), times))).join('\t')
}
