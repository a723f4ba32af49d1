import { quoteIdentifier } from './compiled-query.js'
import type { LoadColumn } from './engine.js'

/**
 * The SELECT that turns loaded columns into a table of the lake's types: `from` is a relation with
 * the columns under their own names as the engine received them (times as epoch µs BIGINTs, which
 * become TIMESTAMPTZ here).
 */
export function loadSelect(columns: readonly LoadColumn[], from: string): string {
  const list = columns.map((c) => {
    const col = quoteIdentifier(c.name)
    return c.type === 'timestamptz' ? `make_timestamp(${col})::TIMESTAMPTZ AS ${col}` : col
  })
  return `SELECT ${list.join(', ')} FROM ${from}`
}
