import { randomUUID } from 'node:crypto'
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
const VERSION_RE = /^v(\d+)\.metadata\.json$/

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/**
 * The newest committed version number: the hint, then forward probing (the hint is written after
 * the commit and may lag); without a hint, the largest `vN` in the directory. 0 when none exists.
 */
export async function latestVersion(metadataDir: string): Promise<number> {
  let n = 0
  try {
    const hint = Number.parseInt((await readFile(join(metadataDir, 'version-hint.text'), 'utf8')).trim(), 10)
    if (Number.isSafeInteger(hint) && hint > 0 && (await exists(join(metadataDir, metadataFileName(hint))))) n = hint
  } catch {
    // no hint: list the directory below
  }
  if (n === 0) {
    let names: string[] = []
    try {
      names = await readdir(metadataDir)
    } catch {
      return 0
    }
    for (const name of names) {
      const m = VERSION_RE.exec(name)
      if (m) n = Math.max(n, Number(m[1]))
    }
    if (n === 0) return 0
  }
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
    throw new K2Error('NOT_FOUND', `table metadata ${file} does not exist`, { cause: err })
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

/** The latest version, or null for a table not created yet. */
export async function loadLatest(ctx: TableContext): Promise<Version | null> {
  const n = await latestVersion(ctx.metadataDir)
  return n === 0 ? null : readVersion(ctx.metadataDir, n)
}
