import { randomUUID } from 'node:crypto'
import type { BigIntStats } from 'node:fs'
import { access, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { publishExclusive, replaceFile, writeDurable } from './durable-fs.js'
import { stringifyJsonExact } from './exact-json.js'
import { parseMetadata, type TableContext, type TableMetadata, type Version } from './table-metadata.js'

/**
 * The versions of a table's metadata (`metadata/vN.metadata.json`): which one is the latest, reading
 * one, and publishing the next. A version file is created once, exclusively, and never rewritten.
 */

export const metadataFileName = (n: number) => `v${n}.metadata.json`
const VERSION_RE = /^v([1-9]\d{0,14})\.metadata\.json$/

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

function corrupt(metadataDir: string, why: string, cause?: unknown): K2Error {
  return new K2Error('CORRUPT_TABLE', `table metadata in ${metadataDir} is damaged: ${why}`, { cause, details: { metadataDir } })
}

// A listing of a large metadata directory costs milliseconds, more than a point query: it is kept
// while the directory is unchanged. A change in the same clock tick as the listing would not move
// the mtime, so a listing taken within RACY_MS of the last change is not trusted (as git treats
// "racily clean" index entries); commits always list afresh.
const listings = new Map<string, { mtimeNs: bigint; ino: bigint; max: number }>()
const RACY_MS = 1000

/** The largest N of the directory's `vN.metadata.json` files (0: none), checked against the hint. */
async function listVersions(metadataDir: string, cache: boolean): Promise<number> {
  let st: BigIntStats
  try {
    st = await stat(metadataDir, { bigint: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw fsError(err, metadataDir, 'metadata directory')
  }
  const hit = listings.get(metadataDir)
  if (cache && hit && hit.mtimeNs === st.mtimeNs && hit.ino === st.ino) return hit.max
  const listedAtMs = Date.now()
  // The hint first: it is written after its version, so every version it names is in the listing.
  const hint = await readHint(metadataDir)
  let names: string[]
  try {
    names = await readdir(metadataDir)
  } catch (err) {
    throw fsError(err, metadataDir, 'metadata directory')
  }
  let max = 0
  for (const name of names) {
    const m = VERSION_RE.exec(name)
    if (m) max = Math.max(max, Number(m[1]))
  }
  await checkHint(metadataDir, hint, max, names)
  if (listedAtMs - Number(st.mtimeNs / 1_000_000n) > RACY_MS) listings.set(metadataDir, { mtimeNs: st.mtimeNs, ino: st.ino, max })
  else listings.delete(metadataDir)
  return max
}

/**
 * The hint is written after each commit, so it never runs ahead of the newest version unless
 * versions were deleted: then reading the highest one left would silently drop acknowledged
 * commits (and the next commit would build on it), so it is CORRUPT_TABLE. A table with manifests
 * but no version at all is refused for the same reason, rather than recreated empty.
 */
async function checkHint(metadataDir: string, hint: number, max: number, names: readonly string[]): Promise<void> {
  if (max === 0 && (hint > 0 || names.some((n) => n.endsWith('.avro')))) {
    throw corrupt(
      metadataDir,
      `it holds ${hint > 0 ? `version-hint.text (${hint})` : 'manifests'} but no vN.metadata.json: the table's versions were deleted. Restore them from a backup, or move the table directory away to start the table again`,
    )
  }
  if (hint > max) {
    throw corrupt(
      metadataDir,
      `version-hint.text says ${hint} but the newest version is ${metadataFileName(max)}: committed versions were deleted. Restore ${metadataFileName(hint)} from a backup; or, to roll the table back to version ${max} on purpose, write ${max} into version-hint.text`,
    )
  }
}

/** The version the hint names; 0 when there is none or it is not a number (it is only a shortcut). */
async function readHint(metadataDir: string): Promise<number> {
  let text = ''
  try {
    text = await readFile(join(metadataDir, 'version-hint.text'), 'utf8')
  } catch {
    return 0
  }
  return /^\s*\d{1,15}\s*$/.test(text) ? Number(text.trim()) : 0
}

/** An error reading a metadata path: IO when it cannot be accessed, CORRUPT_TABLE when it is not what it should be. */
function fsError(err: unknown, path: string, what: string): K2Error {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM')
    return new K2Error('IO', `cannot read the ${what} ${path} (${code}): check its permissions`, { cause: err, details: { path } })
  return new K2Error('CORRUPT_TABLE', `the ${what} ${path} cannot be read (${code ?? (err as Error).message}): restore it from a backup`, {
    cause: err,
    details: { path },
  })
}

/**
 * The newest committed version number: the largest `vN.metadata.json` in the directory (listed, or
 * a listing kept while the directory is unchanged), then any later versions by probing. 0 when
 * none exists. `fresh` lists the directory again: a commit must never publish below a version.
 */
export async function latestVersion(metadataDir: string, opts: { fresh?: boolean } = {}): Promise<number> {
  let n = await listVersions(metadataDir, opts.fresh !== true)
  while (await exists(join(metadataDir, metadataFileName(n + 1)))) n++
  return n
}

// Parsed metadata by file. A vN.metadata.json is created once and never rewritten, and the metadata
// grows with every snapshot, so re-parsing it on every query would cost more and more; the size and
// mtime in the key still catch a file replaced or damaged by hand.
const parsed = new Map<string, { key: string; version: Version }>()
const PARSED_MAX = 256

/** Reads version `n`; a missing file is NOT_FOUND, a bad one CORRUPT_TABLE. Callers must not mutate it. */
export async function readVersion(metadataDir: string, n: number): Promise<Version> {
  const file = join(metadataDir, metadataFileName(n))
  let text: string
  let key: string
  try {
    const st = await stat(file)
    key = `${st.size}:${st.mtimeMs}:${st.ino}`
    const hit = parsed.get(file)
    if (hit?.key === key) return hit.version
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new K2Error('NOT_FOUND', `table metadata ${file} does not exist`, { cause: err, details: { file } })
    throw fsError(err, file, 'table metadata')
  }
  const version = { version: n, file, metadata: parseMetadata(text, file) }
  if (parsed.size >= PARSED_MAX) parsed.clear()
  parsed.set(file, { key, version })
  return version
}

/** Publishes `metadata` as the next version after `base`; false when another writer got there first. */
export async function publishVersion(ctx: TableContext, baseVersion: number, metadata: TableMetadata): Promise<boolean> {
  const temp = join(ctx.metadataDir, `${randomUUID()}.metadata.json`)
  await writeDurable(temp, stringifyJsonExact(metadata))
  const won = await publishExclusive(temp, join(ctx.metadataDir, metadataFileName(baseVersion + 1)))
  if (won) await replaceFile(join(ctx.metadataDir, 'version-hint.text'), String(baseVersion + 1)).catch(() => {})
  return won
}

/**
 * The latest version, or null for a table not created yet. `fresh`: list the directory again (what
 * a commit builds on). A version deleted since the listing was kept is looked for once more.
 */
export async function loadLatest(ctx: TableContext, opts: { fresh?: boolean } = {}): Promise<Version | null> {
  for (let fresh = opts.fresh === true; ; fresh = true) {
    const n = await latestVersion(ctx.metadataDir, { fresh })
    if (n === 0) return null
    try {
      return await readVersion(ctx.metadataDir, n)
    } catch (err) {
      if (fresh || !K2Error.isInstance(err) || err.code !== 'NOT_FOUND') throw err
    }
  }
}
