import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { decodeAvroFile, encodeAvroFile } from './avro-file.js'
import { checksumOf, checksumTag, namedChecksum } from './checksum-names.js'
import { writeDurable } from './durable-fs.js'
import { fromUri, type ResolvePath, toUri } from './file-uri.js'
import { manifestListProblem, manifestProblem } from './manifest-checks.js'
import { exactEntry, exactListRecord } from './manifest-records.js'
import {
  type DataFileRecord,
  type FieldSummary,
  MANIFEST_LIST_SCHEMA,
  type ManifestEntry,
  type ManifestFileRecord,
  manifestEntrySchema,
  partitionAvroType,
} from './manifest-schemas.js'
import { compareStrings, encodeValue } from './single-value.js'
import type { Snapshot } from './table-metadata.js'
import { icebergPartitionSpec, icebergSchema, type TableSpec } from './table-spec.js'

/** A data file live in a snapshot, with the sequence numbers it inherited. */
export interface LiveFile {
  file: DataFileRecord
  /** Where the file is on this machine (`file_path` through the table's path mapping). */
  path: string
  snapshotId: bigint
  sequenceNumber: number
  fileSequenceNumber: number
}

// Manifests and manifest lists are immutable once written: cache them by local path (a copied lake
// has the same URIs in its metadata, in other files).
const cache = new Map<string, { records: unknown[]; length: number; key: string }>()
const CACHE_MAX = 2000

async function readAvro<T>(
  path: string,
  what: string,
  exact: (r: T) => T,
  problem: (records: T[]) => string | null,
  length?: number,
): Promise<{ records: T[]; length: number }> {
  let buf: Buffer
  let key: string
  try {
    // Files are immutable, so a cached copy is good while the file is there and unchanged.
    const st = await stat(path)
    key = `${st.size}:${st.mtimeMs}:${st.ino}`
    const hit = cache.get(path)
    if (hit?.key === key) return hit as { records: T[]; length: number }
    buf = await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM')
      throw new K2Error('IO', `cannot read ${what} ${path} (${code}): check its permissions`, { cause: err, details: { path } })
    throw new K2Error(
      'CORRUPT_TABLE',
      `${what} ${path} is ${code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (err as Error).message})`}: the table's metadata points to a file that is gone; restore it, or roll back by deleting the newest vN.metadata.json files until the table reads and writing the newest N left into version-hint.text`,
      { cause: err, details: { path } },
    )
  }
  const crc = namedChecksum(path)
  const damage =
    crc !== null && checksumOf(buf) !== crc
      ? 'does not match the checksum it was written with (damaged on disk)'
      : length !== undefined && length !== buf.length
        ? `is ${buf.length} bytes where its manifest list records ${length} (truncated or replaced)`
        : null
  if (damage) throw new K2Error('CORRUPT_TABLE', `${what} ${path} ${damage}: restore it from a backup`, { details: { path } })
  let decoded: T[]
  try {
    decoded = decodeAvroFile<T>(buf).records
  } catch (err) {
    throw new K2Error(
      'CORRUPT_TABLE',
      `${what} ${path} is not a readable Avro file (${(err as Error).message}): restore it from a backup`,
      {
        cause: err,
        details: { path },
      },
    )
  }
  // Checked once, before it is cached: a file that decodes may still hold records no table has.
  let records: T[]
  let wrong = problem(decoded)
  try {
    records = wrong === null ? decoded.map(exact) : []
  } catch (err) {
    wrong = (err as Error).message
    records = []
  }
  if (wrong !== null) {
    throw new K2Error('CORRUPT_TABLE', `${what} ${path} is damaged (${wrong}): restore it from a backup`, {
      details: { path },
    })
  }
  const value = { records, length: buf.length, key }
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(path, value)
  return value
}

export async function readManifestList(snapshot: Snapshot, resolve: ResolvePath = fromUri): Promise<ManifestFileRecord[]> {
  const what = `manifest list of snapshot ${String(snapshot['snapshot-id'])}`
  const check = (records: ManifestFileRecord[]) => listProblem(records, resolve)
  return (await readAvro(resolve(snapshot['manifest-list']), what, exactListRecord, check)).records
}

export async function readManifest(m: ManifestFileRecord, resolve: ResolvePath = fromUri): Promise<ManifestEntry[]> {
  const length = Number(m.manifest_length)
  return (await readAvro(resolve(m.manifest_path), 'manifest', exactEntry, manifestProblem, length)).records
}

/** A list's records must be sound and name manifests this lake can find. */
function listProblem(records: ManifestFileRecord[], resolve: ResolvePath): string | null {
  const problem = manifestListProblem(records)
  if (problem) return problem
  for (const r of records) {
    try {
      resolve(r.manifest_path)
    } catch (err) {
      return `it names manifest ${JSON.stringify(r.manifest_path.slice(0, 200))}, which is not a local file URI: ${(err as Error).message}`
    }
  }
  return null
}

/** Every live data file of a snapshot, with inherited ids and sequence numbers filled in. */
export async function liveFiles(snapshot: Snapshot | undefined, resolve: ResolvePath = fromUri): Promise<LiveFile[]> {
  if (!snapshot) return []
  const out: LiveFile[] = []
  for (const m of await readManifestList(snapshot, resolve)) {
    if (m.content !== 0) continue
    for (const e of await readManifest(m, resolve)) {
      if (e.status === 2) continue
      out.push({
        file: e.data_file,
        path: resolve(e.data_file.file_path),
        snapshotId: e.snapshot_id ?? m.added_snapshot_id,
        sequenceNumber: e.sequence_number ?? m.sequence_number,
        fileSequenceNumber: e.file_sequence_number ?? m.sequence_number,
      })
    }
  }
  return out
}

function partitionSummaries(spec: TableSpec, files: DataFileRecord[]): FieldSummary[] {
  return spec.partition.map((p, i) => {
    const type = partitionAvroType(spec, i)
    const kind = p.transform === 'identity' ? (typeof type === 'string' ? type : 'string') : 'int'
    let lo: string | number | null = null
    let hi: string | number | null = null
    let containsNull = false
    for (const f of files) {
      const v = f.partition[p.name]
      if (v === null || v === undefined) {
        containsNull = true
        continue
      }
      const less = (a: string | number, b: string | number) =>
        typeof a === 'string' || typeof b === 'string' ? compareStrings(String(a), String(b)) < 0 : a < b
      if (lo === null || less(v, lo)) lo = v
      if (hi === null || less(hi, v)) hi = v
    }
    const enc = (v: string | number | null) =>
      v === null ? null : encodeValue(kind === 'string' ? 'string' : kind === 'long' ? 'long' : 'int', v)
    return { contains_null: containsNull, contains_nan: null, lower_bound: enc(lo), upper_bound: enc(hi) }
  })
}

function headerFor(spec: TableSpec): Record<string, string> {
  return {
    schema: JSON.stringify(icebergSchema(spec)),
    'schema-id': '0',
    'partition-spec': JSON.stringify(icebergPartitionSpec(spec).fields),
    'partition-spec-id': '0',
    'format-version': '2',
    content: 'data',
  }
}

/** A manifest written for a commit; the list record is completed with the commit's sequence number. */
export interface WrittenManifest {
  path: string
  record: Omit<ManifestFileRecord, 'sequence_number' | 'min_sequence_number' | 'added_snapshot_id'> & {
    min_sequence_number: number | null
    added_snapshot_id: bigint | null
  }
}

/**
 * Writes a manifest of `entries`. New files are ADDED with null ids (inherited from the manifest
 * list, so the manifest survives a commit retry unchanged); carried and removed files are written
 * with their explicit sequence numbers.
 */
export async function writeManifest(
  spec: TableSpec,
  metadataDir: string,
  entries: ManifestEntry[],
  addedSnapshotId: bigint | null,
): Promise<WrittenManifest> {
  const buf = encodeAvroFile(manifestEntrySchema(spec), entries, headerFor(spec))
  const path = join(metadataDir, `${randomUUID()}${checksumTag(checksumOf(buf))}-m0.avro`)
  await writeDurable(path, buf)
  const count = (s: number) => entries.filter((e) => e.status === s)
  const rows = (s: number) => count(s).reduce((n, e) => n + e.data_file.record_count, 0)
  const explicit = entries.filter((e) => e.status !== 2 && e.sequence_number !== null).map((e) => e.sequence_number as number)
  const allExplicit = entries.every((e) => e.status === 2 || e.sequence_number !== null)
  return {
    path,
    record: {
      manifest_path: toUri(path),
      manifest_length: buf.length,
      partition_spec_id: 0,
      content: 0,
      min_sequence_number: allExplicit && explicit.length > 0 ? Math.min(...explicit) : null,
      added_snapshot_id: addedSnapshotId,
      added_files_count: count(1).length,
      existing_files_count: count(0).length,
      deleted_files_count: count(2).length,
      added_rows_count: rows(1),
      existing_rows_count: rows(0),
      deleted_rows_count: rows(2),
      partitions: partitionSummaries(
        spec,
        entries.map((e) => e.data_file),
      ),
      key_metadata: null,
    },
  }
}

export async function writeManifestList(
  metadataDir: string,
  snapshotId: bigint,
  parentId: bigint | null,
  sequenceNumber: number,
  attempt: number,
  manifests: ManifestFileRecord[],
): Promise<string> {
  const buf = encodeAvroFile(MANIFEST_LIST_SCHEMA, manifests, {
    'snapshot-id': String(snapshotId),
    'parent-snapshot-id': parentId === null ? 'null' : String(parentId),
    'sequence-number': String(sequenceNumber),
    'format-version': '2',
  })
  const path = join(metadataDir, `snap-${snapshotId}-${attempt}-${randomUUID()}${checksumTag(checksumOf(buf))}.avro`)
  await writeDurable(path, buf)
  return path
}
