import { jsonReplacer, jsonRow, type ResultSet, type TimeFormat } from './cells.js'

/** The result as one JSON array (pretty, one row per line block): what `jq` and scripts read. */
export function jsonText(set: ResultSet, times: TimeFormat): string {
  return JSON.stringify(
    set.rows.map((r) => jsonRow(set, r, times)),
    jsonReplacer,
    2,
  )
}

/** The result as JSON Lines: one compact object per row, for streaming readers. */
export function* jsonLines(set: ResultSet, times: TimeFormat): Generator<string> {
  for (const r of set.rows) yield JSON.stringify(jsonRow(set, r, times), jsonReplacer)
}

/** Any value as JSON on one line of stdout (the `--json` output of the other commands). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 2)
}
