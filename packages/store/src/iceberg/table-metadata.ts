import { access, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'

/** Iceberg v2 table metadata (`vN.metadata.json`), the fields K2 reads and writes. */
export interface Snapshot {
  'snapshot-id': number
  'parent-snapshot-id'?: number
  'sequence-number': number
  'timestamp-ms': number
  'manifest-list': string
  summary: Record<string, string> & { operation: string }
  'schema-id': number
}

export interface TableMetadata {
  'format-version': 2
  'table-uuid': string
  location: string
  'last-sequence-number': number
  'last-updated-ms': number
  'last-column-id': number
  schemas: Record<string, unknown>[]
  'current-schema-id': number
  'partition-specs': Record<string, unknown>[]
  'default-spec-id': number
  'last-partition-id': number
  'sort-orders': Record<string, unknown>[]
  'default-sort-order-id': number
  properties: Record<string, string>
  'current-snapshot-id': number
  snapshots: Snapshot[]
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': number }[]
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[]
  refs: Record<string, { 'snapshot-id': number; type: 'branch' | 'tag' }>
  statistics: unknown[]
  'partition-statistics': unknown[]
}

/** A loaded version: its number, the file it came from, and the metadata. */
export interface Version {
  version: number
  file: string
  metadata: TableMetadata
}

const REQUIRED: [keyof TableMetadata, string][] = [
  ['format-version', 'number'],
  ['table-uuid', 'string'],
  ['location', 'string'],
  ['last-sequence-number', 'number'],
  ['last-updated-ms', 'number'],
  ['last-column-id', 'number'],
  ['current-schema-id', 'number'],
  ['default-spec-id', 'number'],
  ['last-partition-id', 'number'],
  ['default-sort-order-id', 'number'],
]

function corrupt(file: string, why: string, cause?: unknown): K2Error {
  return new K2Error(
    'CORRUPT_TABLE',
    `table metadata ${file} is unreadable (${why}): restore it from a backup, or delete it so the table falls back to the previous vN.metadata.json`,
    { cause, details: { file } },
  )
}

/** Parses and checks one metadata file; a malformed or truncated file is CORRUPT_TABLE. */
export function parseMetadata(text: string, file: string): TableMetadata {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch (err) {
    throw corrupt(file, 'not valid JSON, perhaps truncated', err)
  }
  if (typeof m !== 'object' || m === null) throw corrupt(file, 'not a JSON object')
  const obj = m as Record<string, unknown>
  for (const [key, type] of REQUIRED) {
    if (typeof obj[key] !== type) throw corrupt(file, `field "${key}" is missing or not a ${type}`)
  }
  if (obj['format-version'] !== 2) throw corrupt(file, `format-version ${String(obj['format-version'])} is not 2`)
  for (const key of ['schemas', 'partition-specs', 'sort-orders'] as const) {
    if (!Array.isArray(obj[key])) throw corrupt(file, `field "${key}" is missing`)
  }
  const meta = obj as unknown as TableMetadata
  meta.snapshots ??= []
  meta['snapshot-log'] ??= []
  meta['metadata-log'] ??= []
  meta.refs ??= {}
  meta.properties ??= {}
  meta.statistics ??= []
  meta['partition-statistics'] ??= []
  if (meta['current-snapshot-id'] === undefined || meta['current-snapshot-id'] === null) meta['current-snapshot-id'] = -1
  const current = meta['current-snapshot-id']
  if (current !== -1 && !meta.snapshots.some((s) => s['snapshot-id'] === current)) {
    throw corrupt(file, `current snapshot ${current} is not among its snapshots`)
  }
  return meta
}

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
