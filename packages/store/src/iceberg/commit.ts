import { randomInt } from 'node:crypto'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { toUri } from './file-uri.js'
import type { DataFileRecord, ManifestEntry, ManifestFileRecord } from './manifest-schemas.js'
import {
  type LiveFile,
  liveFiles,
  readManifest,
  readManifestList,
  type WrittenManifest,
  writeManifest,
  writeManifestList,
} from './manifests.js'
import { loadLatest, metadataFileName, publishVersion } from './metadata-versions.js'
import { assertAtLocation } from './table-location.js'
import type { Snapshot, TableContext, TableMetadata, Version } from './table-metadata.js'
import { assertWritable, currentLayout } from './write-support.js'

/**
 * Optimistic, atomic commits: build the next `vN+1.metadata.json` from the latest version, publish
 * it with an exclusive hard link, and on a lost race re-read and try again. Nothing a reader can see
 * changes until the link succeeds; files of a failed attempt are removed (or left as orphans when
 * the process dies, which `removeOrphans` deletes later).
 */

/** A table to commit to: where it lives, and how to create it when it does not exist yet. */
export interface CommitContext extends TableContext {
  ensure(): Promise<Version>
}

export interface SnapshotChange {
  operation: 'append' | 'overwrite' | 'replace' | 'delete'
  add: DataFileRecord[]
  /** `file_path` URIs of live files this commit removes. */
  remove: ReadonlySet<string>
  /**
   * Rewrite every manifest of the snapshot into one (kept files EXISTING, removed ones DELETED):
   * many small commits leave many small manifests, which every later commit and scan must read.
   */
  consolidate?: boolean
  /** Extra snapshot-summary entries (the caller's bookkeeping); Iceberg's own entries take precedence. */
  summary?: Readonly<Record<string, string>>
}

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, randomInt(1, 5 + Math.min(attempt, 20) * 5)))

export function currentSnapshot(meta: TableMetadata): Snapshot | undefined {
  const id = meta['current-snapshot-id']
  return id === -1n ? undefined : meta.snapshots.find((s) => s['snapshot-id'] === id)
}

/**
 * Runs `build` against the latest version until its result is published. `build` may throw a
 * K2Error to abort (e.g. a file it wanted to replace is gone).
 */
export async function commitMetadata(
  ctx: CommitContext,
  build: (base: Version, attempt: number) => Promise<{ metadata: TableMetadata | null; discard: string[] }>,
): Promise<Version> {
  for (let attempt = 0; ; attempt++) {
    // Listed afresh: never publish below a version that exists. A table not created yet is created.
    const base = (await loadLatest(ctx, { fresh: true })) ?? (await ctx.ensure())
    // A copied or moved table still names its old location: committing would mix the two copies.
    await assertAtLocation(ctx.spec.name, base.metadata.location, ctx.dir)
    const { metadata, discard } = await build(base, attempt)
    if (metadata === null) return base // nothing to commit
    if (await publishVersion(ctx, base.version, metadata)) {
      return { version: base.version + 1, file: join(ctx.metadataDir, metadataFileName(base.version + 1)), metadata }
    }
    await Promise.all(discard.map((p) => unlink(p).catch(() => {})))
    if (attempt >= ctx.maxRetries) {
      throw new K2Error(
        'COMMIT_CONFLICT',
        `commit to ${ctx.spec.name} lost the race ${attempt + 1} times to other writers: retry later, or use fewer concurrent writers`,
      )
    }
    await backoff(attempt)
  }
}

function newSnapshotId(meta: TableMetadata): bigint {
  for (;;) {
    // positive, ≤ 2^53 − 1: exact in icebird, which parses metadata with JSON.parse
    const id = BigInt(randomInt(1, 2 ** 47) * 64 + randomInt(0, 64))
    if (!meta.snapshots.some((s) => s['snapshot-id'] === id)) return id
  }
}

function summaryOf(change: SnapshotChange, removed: LiveFile[], live: LiveFile[]): Record<string, string> & { operation: string } {
  const sum = (xs: DataFileRecord[], f: (d: DataFileRecord) => number) => xs.reduce((n, d) => n + f(d), 0)
  const removedFiles = removed.map((l) => l.file)
  const kept = live.filter((l) => !change.remove.has(l.file.file_path)).map((l) => l.file)
  const final = [...kept, ...change.add]
  return {
    operation: change.operation,
    'added-data-files': String(change.add.length),
    'deleted-data-files': String(removedFiles.length),
    'added-records': String(sum(change.add, (d) => d.record_count)),
    'deleted-records': String(sum(removedFiles, (d) => d.record_count)),
    'added-files-size': String(sum(change.add, (d) => d.file_size_in_bytes)),
    'removed-files-size': String(sum(removedFiles, (d) => d.file_size_in_bytes)),
    'total-records': String(sum(final, (d) => d.record_count)),
    'total-data-files': String(final.length),
    'total-delete-files': '0',
    'total-files-size': String(sum(final, (d) => d.file_size_in_bytes)),
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
  }
}

/** Rewrites the base manifests that hold removed files: removed → DELETED, the rest → EXISTING. */
async function rewriteManifests(
  ctx: TableContext,
  manifests: ManifestFileRecord[],
  remove: ReadonlySet<string>,
  snapshotId: bigint,
): Promise<{ carried: ManifestFileRecord[]; rewritten: WrittenManifest[] }> {
  const carried: ManifestFileRecord[] = []
  const rewritten: WrittenManifest[] = []
  // Manifests left with no live file (all DELETED, recorded by the commit that made them so) are
  // not carried further.
  const live = manifests.filter((m) => m.added_files_count + m.existing_files_count > 0)
  if (remove.size === 0) return { carried: live, rewritten } // appends carry every manifest verbatim
  for (const m of live) {
    const entries = await readManifest(m)
    if (!entries.some((e) => e.status !== 2 && remove.has(e.data_file.file_path))) {
      carried.push(m)
      continue
    }
    const next: ManifestEntry[] = []
    for (const e of entries) {
      if (e.status === 2) continue // informational only; dropped on rewrite, as Java does
      const seq = e.sequence_number ?? m.sequence_number
      const fileSeq = e.file_sequence_number ?? m.sequence_number
      const gone = remove.has(e.data_file.file_path)
      next.push({
        status: gone ? 2 : 0,
        snapshot_id: gone ? snapshotId : (e.snapshot_id ?? m.added_snapshot_id),
        sequence_number: seq,
        file_sequence_number: fileSeq,
        data_file: e.data_file,
      })
    }
    if (next.length > 0) rewritten.push(await writeManifest(ctx.spec, ctx.metadataDir, next, snapshotId))
  }
  return { carried, rewritten }
}

/** One manifest holding every live file of `manifests`: kept → EXISTING, removed → DELETED. */
async function consolidate(
  ctx: TableContext,
  manifests: ManifestFileRecord[],
  remove: ReadonlySet<string>,
  snapshotId: bigint,
): Promise<WrittenManifest> {
  const entries: ManifestEntry[] = []
  for (const m of manifests) {
    if (m.content !== 0) continue
    for (const e of await readManifest(m)) {
      if (e.status === 2) continue
      const gone = remove.has(e.data_file.file_path)
      entries.push({
        status: gone ? 2 : 0,
        snapshot_id: gone ? snapshotId : (e.snapshot_id ?? m.added_snapshot_id),
        sequence_number: e.sequence_number ?? m.sequence_number,
        file_sequence_number: e.file_sequence_number ?? m.sequence_number,
        data_file: e.data_file,
      })
    }
  }
  return writeManifest(ctx.spec, ctx.metadataDir, entries, snapshotId)
}

/**
 * Commits a snapshot: `prepare` sees the base and its live files and says what to add and remove.
 * It is called again after a lost race (so a deduplicating writer can re-check); when it returns
 * the same `add` array, the manifest of the new files is reused.
 */
export async function commitSnapshot(
  ctx: CommitContext,
  prepare: (base: Version, live: LiveFile[]) => Promise<SnapshotChange>,
): Promise<{ version: Version; snapshot: Snapshot | undefined; change: SnapshotChange }> {
  let addManifest: { add: DataFileRecord[]; written: WrittenManifest } | undefined
  let lastChange: SnapshotChange | undefined
  const version = await commitMetadata(ctx, async (base) => {
    // A table an older K2 created and never wrote to takes today's layout in this same commit.
    const meta = currentLayout(base.metadata, ctx.spec) ?? base.metadata
    const parent = currentSnapshot(meta)
    const parentManifests = parent ? await readManifestList(parent) : []
    // Before anything is written: another engine may have given the table features K2 does not write.
    assertWritable(ctx.spec.name, meta, parentManifests, ctx.spec)
    const live = await liveFiles(parent)
    const change = await prepare(base, live)
    lastChange = change
    if (change.add.length === 0 && change.remove.size === 0) return { metadata: null, discard: [] }
    const livePaths = new Set(live.map((l) => l.file.file_path))
    for (const p of change.remove) {
      if (!livePaths.has(p)) {
        throw new K2Error('COMMIT_CONFLICT', `${p} is no longer in ${ctx.spec.name} (another commit removed it): run the operation again`)
      }
    }
    const snapshotId = newSnapshotId(meta)
    const sequence = meta['last-sequence-number'] + 1
    const discard: string[] = []
    const { carried, rewritten } = change.consolidate
      ? { carried: [], rewritten: [await consolidate(ctx, parentManifests, change.remove, snapshotId)] }
      : await rewriteManifests(ctx, parentManifests, change.remove, snapshotId)
    discard.push(...rewritten.map((w) => w.path))
    const list: ManifestFileRecord[] = []
    if (change.add.length > 0) {
      if (addManifest?.add !== change.add) {
        const entries = change.add.map((f) => ({
          status: 1 as const,
          snapshot_id: null,
          sequence_number: null,
          file_sequence_number: null,
          data_file: f,
        }))
        addManifest = { add: change.add, written: await writeManifest(ctx.spec, ctx.metadataDir, entries, null) }
      }
      const r = addManifest.written.record
      list.push({ ...r, sequence_number: sequence, min_sequence_number: sequence, added_snapshot_id: snapshotId })
    }
    for (const w of rewritten) {
      list.push({
        ...w.record,
        sequence_number: sequence,
        min_sequence_number: w.record.min_sequence_number ?? sequence,
        added_snapshot_id: snapshotId,
      })
    }
    list.push(...carried)
    const listPath = await writeManifestList(ctx.metadataDir, snapshotId, parent?.['snapshot-id'] ?? null, sequence, 0, list)
    discard.push(listPath)
    const now = Math.max(ctx.nowMs(), meta['last-updated-ms'])
    const removed = live.filter((l) => change.remove.has(l.file.file_path))
    const snapshot: Snapshot = {
      'snapshot-id': snapshotId,
      ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
      'sequence-number': sequence,
      'timestamp-ms': now,
      'manifest-list': toUri(listPath),
      summary: { ...change.summary, ...summaryOf(change, removed, live) },
      'schema-id': meta['current-schema-id'],
    }
    const metadata: TableMetadata = {
      ...meta,
      'last-sequence-number': sequence,
      'last-updated-ms': now,
      'current-snapshot-id': snapshotId,
      snapshots: [...meta.snapshots, snapshot],
      'snapshot-log': [...meta['snapshot-log'], { 'timestamp-ms': now, 'snapshot-id': snapshotId }],
      'metadata-log': [...meta['metadata-log'], { 'timestamp-ms': meta['last-updated-ms'], 'metadata-file': toUri(base.file) }].slice(-100),
      refs: { ...meta.refs, main: { 'snapshot-id': snapshotId, type: 'branch' } },
    }
    return { metadata, discard }
  }).catch(async (err) => {
    if (addManifest) await unlink(addManifest.written.path).catch(() => {})
    throw err
  })
  const change = lastChange as SnapshotChange
  const empty = change.add.length === 0 && change.remove.size === 0
  return { version, snapshot: empty ? undefined : currentSnapshot(version.metadata), change }
}
