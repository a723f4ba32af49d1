import { realpath } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { K2Error } from '@k2/core'
import type { ResolvePath } from './file-uri.js'
import { fromUri, toUri } from './file-uri.js'

/**
 * A table's metadata names where it lives (`location`) and every file by an absolute URI under it.
 * When the table is opened elsewhere — a copied or moved lake, a table written on another machine
 * (`file:///Users/…`) or to an object store (`s3a://…`) — reads map the URI prefix to the local
 * folder, as other engines map `s3a://` paths. Writes and maintenance must not: they would mix two
 * copies (and delete the original's files), so they refuse until the paths are rewritten
 * (`relocate-table.ts`).
 */

/** `file:/x`, `file://localhost/x` and `file:///x/` all as `file:///x`; other schemes lose a trailing `/`. */
export function normalizeUri(uri: string): string {
  let u = uri
  if (u.startsWith('file://localhost/')) u = `file:///${u.slice('file://localhost/'.length)}`
  else if (u.startsWith('file:') && !u.startsWith('file://')) u = `file://${u.slice('file:'.length)}`
  return u.length > 1 && u.endsWith('/') && !u.endsWith('://') ? u.slice(0, -1) : u
}

/** True when `location` names the folder `dir` (symlinks resolved), i.e. the table was not moved. */
export async function isAtLocation(location: string, dir: string): Promise<boolean> {
  const want = normalizeUri(location)
  if (want === normalizeUri(toUri(dir))) return true
  if (!want.startsWith('file:')) return false
  try {
    return (await realpath(fromUri(want))) === (await realpath(dir))
  } catch {
    return false
  }
}

/**
 * Resolves metadata URIs through prefix rules (`{ 's3a://bucket/tbl': '/local/tbl' }`, longest
 * prefix first, matched on whole path segments); other `file:` URIs are local paths as they are.
 */
export function prefixResolver(map: Readonly<Record<string, string>>): ResolvePath {
  const rules = Object.entries(map)
    .map(([from, to]) => ({ from: normalizeUri(from), to: resolve(to) }))
    .sort((a, b) => b.from.length - a.from.length)
  return (uri) => {
    const u = normalizeUri(uri)
    for (const { from, to } of rules) {
      if (u !== from && !u.startsWith(`${from}/`)) continue
      const rest = u.slice(from.length)
      return join(to, from.startsWith('file:') ? decodePath(rest) : rest)
    }
    if (u.startsWith('file:')) return fromUri(u)
    throw new K2Error(
      'UNSUPPORTED',
      `"${uri}" is not under the table's location and is not a local file: pass pathMap: { '<prefix of it>': '<local folder>' }`,
      { details: { uri } },
    )
  }
}

function decodePath(rest: string): string {
  try {
    return decodeURIComponent(rest)
  } catch {
    return rest
  }
}

/** How to find a table's files from `dir`: as they are when it was not moved, else through its location. */
export async function tableResolver(location: string, dir: string, extra: Readonly<Record<string, string>> = {}): Promise<ResolvePath> {
  if (Object.keys(extra).length === 0 && (await isAtLocation(location, dir))) return fromUri
  return prefixResolver({ [location]: dir, ...extra })
}

/** Refuses a write or maintenance on a table whose metadata names another location. */
export async function assertAtLocation(table: string, location: string, dir: string): Promise<void> {
  if (await isAtLocation(location, dir)) return
  throw new K2Error(
    'TABLE_MOVED',
    `${table} is opened at ${dir} but its metadata names ${location} (the lake was copied or moved): reads work through a path mapping, but writes and maintenance would mix the two copies and could delete the original's files; run lake.relocate() to rewrite its paths to ${dir} first`,
    { details: { table, location, dir } },
  )
}

/** True when `path` (already resolved, no symlinks) lies strictly inside `dir`. */
export function isInside(dir: string, path: string): boolean {
  const root = resolve(dir)
  return resolve(path).startsWith(`${root}${sep}`)
}
