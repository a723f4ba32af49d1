/**
 * A SQL string literal for the lake's own statements (file paths, file lists, the schema JSON, an
 * import's fixed exchange): quotes are doubled, as DuckDB's standard strings require (backslashes
 * are not special). Queries for users never use it: their values are bound parameters (@k2/query).
 */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}
