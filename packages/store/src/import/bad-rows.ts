import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

/** A line that could not be imported: where it is, why, and the line itself. */
export interface BadRow {
  /** The file (and zip entry) it is in. */
  file: string
  /** 1-based line number in that file. */
  line: number
  reason: string
  raw: string
}

/**
 * The chunk line of the parsed row at index `row` (0-based, in file order): DuckDB's reader skips
 * the lines it rejected (`rejected`, 1-based chunk lines, ascending), so each one at or before the
 * row's line moves it one down. (Blank lines are skipped too and not counted: there are none in
 * the files K2 imports.)
 */
export function lineOfRow(row: number, rejected: readonly number[]): number {
  let line = row + 1
  for (const r of rejected) if (r <= line) line++
  return line
}

/** The text of the given 1-based lines of a file, read once. */
export async function linesOf(path: string, wanted: readonly number[]): Promise<Map<number, string>> {
  const want = new Set(wanted)
  const out = new Map<number, string>()
  if (want.size === 0) return out
  const max = Math.max(...want)
  let n = 0
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })
  for await (const text of rl) {
    n++
    if (want.has(n)) out.set(n, text)
    if (n >= max) break
  }
  rl.close()
  return out
}
