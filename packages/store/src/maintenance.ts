import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error, parseDuration } from '@k2/core'
import { commitMetadata, commitSnapshot } from './iceberg/commit.js'
import { fromUri, toUri } from './iceberg/file-uri.js'
import { type LiveFile, readManifest, readManifestList } from './iceberg/manifests.js'
import { decodeValue } from './iceberg/single-value.js'
import { assertAtLocation, isInside } from './iceberg/table-location.js'
import type { Snapshot, Version } from './iceberg/table-metadata.js'
import { unlinkInside } from './iceberg/unlink-inside.js'
import type { TableCore } from './table-core.js'
import { writeDataFiles } from './write/parquet-files.js'
import { stageFromFiles } from './write/rows-in-duckdb.js'

/** Table maintenance: snapshot expiry, retention, compaction and orphan clean-up. */

export interface ExpireOptions {
  /** Expire snapshots older than this duration (e.g. "7d"). Default "5d", as Iceberg. */
  olderThan?: string | number
  /** Always keep at least this many of the newest snapshots. Default 1. */
  retainLast?: number
}

export interface ExpireResult {
  expiredSnapshots: number
  deletedFiles: number
}

interface Referenced {
  lists: Set<string>
  manifests: Set<string>
  data: Set<string>
}

async function referenced(snapshots: Snapshot[]): Promise<Referenced> {
  const lists = new Set<string>()
  const manifests = new Set<string>()
  const data = new Set<string>()
  for (const s of snapshots) {
    lists.add(fromUri(s['manifest-list']))
    for (const m of await readManifestList(s)) {
      manifests.add(fromUri(m.manifest_path))
      for (const e of await readManifest(m)) if (e.status !== 2) data.add(fromUri(e.data_file.file_path))
    }
  }
  return { lists, manifests, data }
}

/** Refuses, before anything changes, to delete files the metadata names outside the table. */
function checkInside(table: TableCore, refs: Referenced): void {
  for (const p of [...refs.lists, ...refs.manifests, ...refs.data]) {
    if (isInside(table.dir, p)) continue
    throw new K2Error(
      'CORRUPT_TABLE',
      `${table.name}'s metadata names ${p}, outside the table directory ${table.dir}: K2 deletes only inside a table, so nothing was expired; restore the metadata (or, if the lake was moved, run lake.relocate())`,
      { details: { path: p, dir: table.dir } },
    )
  }
}

/**
 * Removes snapshots older than `olderThan` from the metadata (never the current one, nor the newest
 * `retainLast`), then — only after that commit is durable — deletes the manifest lists, manifests
 * and data files that no remaining snapshot references. Time travel to expired snapshots ends.
 */
export async function expireSnapshots(table: TableCore, opts: ExpireOptions = {}): Promise<ExpireResult> {
  const ageMs = parseDuration(opts.olderThan ?? '5d') / 1000
  const retainLast = Math.max(1, opts.retainLast ?? 1)
  let expired: Snapshot[] = []
  let kept: Snapshot[] = []
  await commitMetadata(table, async (base) => {
    const meta = base.metadata
    const cutoff = table.nowMs() - ageMs
    const bySeq = [...meta.snapshots].sort((a, b) => b['sequence-number'] - a['sequence-number'])
    const keepIds = new Set(bySeq.slice(0, retainLast).map((s) => s['snapshot-id']))
    keepIds.add(meta['current-snapshot-id'])
    for (const ref of Object.values(meta.refs)) keepIds.add(ref['snapshot-id'])
    for (const s of meta.snapshots) if (s['timestamp-ms'] >= cutoff) keepIds.add(s['snapshot-id'])
    kept = meta.snapshots.filter((s) => keepIds.has(s['snapshot-id']))
    expired = meta.snapshots.filter((s) => !keepIds.has(s['snapshot-id']))
    if (expired.length === 0) return { metadata: null, discard: [] }
    checkInside(table, await referenced(expired))
    // Drop log entries of removed snapshots and everything before them (the spec's rule).
    const log = meta['snapshot-log']
    let first = 0
    log.forEach((e, i) => {
      if (!keepIds.has(e['snapshot-id'])) first = i + 1
    })
    const now = Math.max(table.nowMs(), meta['last-updated-ms'])
    return {
      metadata: {
        ...meta,
        'last-updated-ms': now,
        snapshots: kept,
        'snapshot-log': log.slice(first),
        'metadata-log': [...meta['metadata-log'], { 'timestamp-ms': meta['last-updated-ms'], 'metadata-file': toUri(base.file) }].slice(
          -100,
        ),
      },
      discard: [],
    }
  })
  if (expired.length === 0) return { expiredSnapshots: 0, deletedFiles: 0 }
  const keep = await referenced(kept)
  const gone = await referenced(expired)
  let deletedFiles = 0
  const drop = async (p: string) => {
    if (await unlinkInside(table.dir, p)) deletedFiles++
  }
  for (const p of gone.data) if (!keep.data.has(p)) await drop(p)
  for (const p of gone.manifests) if (!keep.manifests.has(p)) await drop(p)
  for (const p of gone.lists) if (!keep.lists.has(p)) await drop(p)
  return { expiredSnapshots: expired.length, deletedFiles }
}

export interface RetentionPolicy {
  /** Rows whose time column is older than this (e.g. "90d") are deleted. */
  maxAge: string | number
  /** gold.ohlcv: apply only to this timeframe partition (e.g. "1m"). */
  timeframe?: string
}

/** The snapshot a commit builds on, for error messages (null before the first). */
function snapshotOf(base: Version): bigint | number | null {
  const id = base.metadata['current-snapshot-id']
  return Number(id) === -1 ? null : id
}

function partitionKey(f: LiveFile): string {
  return JSON.stringify(Object.entries(f.file.partition).sort())
}

/**
 * Deletes rows older than each policy's `maxAge` with one overwrite commit: files entirely older
 * are dropped, files straddling the cut-off are rewritten without the old rows.
 */
export async function applyRetention(
  table: TableCore,
  policies: RetentionPolicy[],
): Promise<{ deletedRows: number; snapshotId: bigint | null }> {
  const spec = table.spec
  const timeCol = spec.columns.find((c) => c.name === spec.timeColumn)
  if (!timeCol) throw new K2Error('INTERNAL', `${spec.name} has no time column`)
  const nowUs = table.nowMs() * 1000
  return table.duckdb.with(async (conn) => {
    let deletedRows = 0
    const result = await commitSnapshot(table, async (base, live) => {
      const ctx = { table: spec.name, snapshotId: snapshotOf(base) }
      deletedRows = 0
      const remove = new Set<string>()
      const add = []
      for (const policy of policies) {
        const cutoff = nowUs - parseDuration(policy.maxAge)
        const targets = live.filter((l) => policy.timeframe === undefined || l.file.partition.timeframe === policy.timeframe)
        for (const l of targets) {
          if (remove.has(l.file.file_path)) continue
          const lo = l.file.lower_bounds?.find((b) => b.key === timeCol.id)
          const hi = l.file.upper_bounds?.find((b) => b.key === timeCol.id)
          const min = lo ? Number(decodeValue('timestamptz', lo.value)) : Number.NEGATIVE_INFINITY
          const max = hi ? Number(decodeValue('timestamptz', hi.value)) : Number.POSITIVE_INFINITY
          if (min >= cutoff) continue
          remove.add(l.file.file_path)
          if (max < cutoff) {
            deletedRows += l.file.record_count
            continue
          }
          const staged = await stageFromFiles(conn, spec, [l], ctx, `epoch_us("${timeCol.name}") >= ${cutoff}`)
          deletedRows += l.file.record_count - staged.rows
          if (staged.rows > 0) add.push(...(await writeDataFiles(conn, spec, staged, table.dir)))
        }
      }
      return { operation: 'overwrite', add, remove }
    })
    return { deletedRows, snapshotId: result.snapshot ? BigInt(result.snapshot['snapshot-id']) : null }
  })
}

export interface CompactOptions {
  /** Files smaller than this are compacted. Default 64 MiB. */
  smallFileBytes?: number
}

/** Rewrites each partition's small files into one file with the same rows (a `replace` commit). */
export async function compact(
  table: TableCore,
  opts: CompactOptions = {},
): Promise<{ rewrittenFiles: number; addedFiles: number; snapshotId: bigint | null }> {
  const small = opts.smallFileBytes ?? 64 * 2 ** 20
  return table.duckdb.with(async (conn) => {
    let plan: { add: Awaited<ReturnType<typeof writeDataFiles>>; remove: Set<string> } | undefined
    const result = await commitSnapshot(table, async (base, live) => {
      if (plan) return { operation: 'replace', ...plan, consolidate: true }
      const ctx = { table: table.spec.name, snapshotId: snapshotOf(base) }
      const groups = new Map<string, LiveFile[]>()
      for (const l of live) {
        if (l.file.file_size_in_bytes >= small) continue
        const k = partitionKey(l)
        groups.set(k, [...(groups.get(k) ?? []), l])
      }
      const add = []
      const remove = new Set<string>()
      for (const files of groups.values()) {
        if (files.length < 2) continue
        const staged = await stageFromFiles(conn, table.spec, files, ctx)
        add.push(...(await writeDataFiles(conn, table.spec, staged, table.dir)))
        for (const f of files) remove.add(f.file.file_path)
      }
      plan = { add, remove }
      return { operation: 'replace', ...plan, consolidate: true }
    })
    const done = result.snapshot !== undefined
    return {
      rewrittenFiles: done ? (plan?.remove.size ?? 0) : 0,
      addedFiles: done ? (plan?.add.length ?? 0) : 0,
      snapshotId: done ? BigInt((result.snapshot as Snapshot)['snapshot-id']) : null,
    }
  })
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return out
  }
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await listFiles(p)))
    else out.push(p)
  }
  return out
}

/**
 * Deletes files under the table's `data/` and `metadata/` that no snapshot references and that are
 * older than `olderThan` (default "3d", as Spark): leftovers of crashed or lost commits. The grace
 * period protects files of commits still in flight. `dryRun` lists them and deletes nothing.
 */
export async function removeOrphans(
  table: TableCore,
  opts: { olderThan?: string | number; dryRun?: boolean } = {},
): Promise<{ deleted: string[] }> {
  const graceMs = parseDuration(opts.olderThan ?? '3d') / 1000
  const { metadata } = await table.current()
  // In a copy, every file would look unreferenced (the metadata names the original's paths).
  await assertAtLocation(table.name, metadata.location, table.dir)
  const refs = await referenced(metadata.snapshots)
  const keep = new Set([...refs.lists, ...refs.manifests, ...refs.data])
  const cutoff = table.nowMs() - graceMs
  const deleted: string[] = []
  for (const path of [...(await listFiles(join(table.dir, 'data'))), ...(await listFiles(table.metadataDir))]) {
    const name = path.slice(path.lastIndexOf('/') + 1)
    if (keep.has(path) || /^v\d+\.metadata\.json$/.test(name) || name === 'version-hint.text') continue
    const info = await stat(path).catch(() => null)
    if (!info || info.mtimeMs > cutoff) continue
    if (opts.dryRun)
      deleted.push(path) // what a real run would delete, nothing unlinked
    else if (await unlinkInside(table.dir, path)) deleted.push(path)
  }
  return { deleted }
}
