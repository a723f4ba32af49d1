import { K2Error } from '@k2/core'

// DuckDB expands globs (* ? [ ] { }) in read_parquet paths and reads URLs through extensions:
// a catalog path with either could read files outside the snapshot, so such paths are refused.
const GLOB = /[*?[\]{}]/
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/])/
const CHECKED = new Set<string>()

/**
 * Checks a data file path from the catalog before it is bound into `read_parquet([...])`: it must
 * be an absolute local path without glob characters, control characters, `..` segments or a URL
 * scheme. The list itself is always a bound parameter, so no path can change the SQL text.
 */
export function checkDataFilePath(path: unknown): string {
  if (typeof path === 'string' && CHECKED.has(path)) return path
  const ok =
    typeof path === 'string' &&
    path.length > 0 &&
    path.length <= 4096 &&
    ABSOLUTE.test(path) &&
    !URL_SCHEME.test(path) &&
    !GLOB.test(path) &&
    !hasControlCharacter(path) &&
    !path.split(/[\\/]/).includes('..')
  if (ok) {
    // Every query re-lists the same files: remember the good ones (bounded, so memory stays flat).
    if (CHECKED.size >= 100_000) CHECKED.clear()
    CHECKED.add(path)
    return path
  }
  const shown = typeof path === 'string' ? JSON.stringify(path.slice(0, 200)) : String(path)
  throw new K2Error(
    'CORRUPT_TABLE',
    `the catalog returned an unsafe data file path ${shown}: paths must be absolute local paths without glob characters (* ? [ ] { }), control characters, '..' or a URL scheme`,
    { details: { path: shown } },
  )
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return false
}
