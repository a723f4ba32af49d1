import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isTableName, K2Error, type TableName } from '@k2/core'

/**
 * Path rules: a lake is a directory; table `ns.tbl` lives at `<lake>/ns/tbl`. Names come from a
 * fixed list and are checked before any path is built, and every path is checked to stay inside the
 * lake root, so no input can make K2 read or write outside it.
 */

const NAME_RE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/

/** Checks a table name and returns it typed; rejects names that are not lake tables or try to escape. */
export function checkTableName(name: unknown): TableName {
  if (typeof name !== 'string' || name.includes('\0') || !NAME_RE.test(name)) {
    throw new K2Error(
      'VALIDATION',
      `invalid table name ${JSON.stringify(String(name).replace(/\0/g, '\\0'))}: use "namespace.table" in lower case, e.g. "silver.trades" (no paths, "..", "/" or NUL)`,
      { details: { name } },
    )
  }
  if (!isTableName(name)) {
    throw new K2Error(
      'NOT_FOUND',
      `unknown lake table "${name}": the lake has bronze.frames, bronze.dlq, bronze.coverage, silver.trades, silver.book, silver.quotes and gold.ohlcv`,
      {
        details: { name },
      },
    )
  }
  return name
}

/** Resolves the lake root; rejects NUL bytes and empty paths. */
export function checkLakeRoot(path: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new K2Error(
      'VALIDATION',
      `invalid lake path ${JSON.stringify(String(path))}: pass a directory path without NUL bytes, e.g. "./k2-lake"`,
    )
  }
  return resolve(path.startsWith('file:') ? fileURLToPath(path) : path)
}

/** Joins `parts` under `root` and refuses any result outside it. */
export function inside(root: string, ...parts: string[]): string {
  for (const p of parts) {
    if (p.includes('\0') || isAbsolute(p)) {
      throw new K2Error(
        'VALIDATION',
        `path part ${JSON.stringify(p.replace(/\0/g, '\\0'))} is absolute or has a NUL byte: lake paths are relative to the lake root`,
      )
    }
  }
  const full = resolve(join(root, ...parts))
  const rel = relative(root, full)
  if (rel === '' ? false : rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new K2Error('VALIDATION', `path ${JSON.stringify(parts.join('/'))} leaves the lake root ${root}: lake paths may not contain ".."`)
  }
  return full
}
