import { randomUUID } from 'node:crypto'
import { readFile, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { decodeAvroFile, encodeAvroFile } from './avro-file.js'
import { writeDurable } from './durable-fs.js'
import { toUri } from './file-uri.js'
import { loadLatest, publishVersion } from './metadata-versions.js'
import { isAtLocation, normalizeUri, prefixResolver } from './table-location.js'
import type { Snapshot, TableContext, TableMetadata } from './table-metadata.js'

/**
 * Rewrites the paths of a table opened at another folder than its metadata names (a copied or moved
 * lake), as Iceberg's `rewrite_table_path` does: every manifest and manifest list is written anew
 * with its URIs under the new location (same records, same Avro schema and header), and one new
 * metadata version names them and the new `location`. Snapshot ids, sequence numbers and time
 * travel are unchanged; the old manifests become orphans of this copy (`removeOrphans`). Nothing
 * outside the table's directory is read for writing or touched.
 */

export interface Relocation {
  /** The location the metadata named before. */
  from: string
  /** The new location (this folder). */
  to: string
  /** The metadata version that names it. */
  version: number
  snapshots: number
}

type AvroRecord = Record<string, unknown>

interface Rewrite {
  ctx: TableContext
  from: string
  to: string
  resolve: (uri: string) => string
  written: string[]
  manifests: Map<string, { path: string; length: number }>
}

function moveUri(r: Rewrite, uri: string): string {
  const u = normalizeUri(uri)
  if (u !== r.from && !u.startsWith(`${r.from}/`)) {
    throw new K2Error(
      'CORRUPT_TABLE',
      `cannot relocate ${r.ctx.spec.name}: ${uri} is not under its location ${r.from}, so it is not part of this copy; nothing was changed`,
      { details: { uri } },
    )
  }
  return r.to + u.slice(r.from.length)
}

/** Reads an Avro file of the old copy and writes it anew with `edit` applied to each record. */
async function rewriteAvro(r: Rewrite, uri: string, name: string, edit: (rec: AvroRecord) => Promise<void>) {
  const file = decodeAvroFile<AvroRecord>(await readFile(r.resolve(uri)))
  for (const rec of file.records) await edit(rec)
  const header = Object.fromEntries(Object.entries(file.metadata).filter(([k]) => !k.startsWith('avro.')))
  const buf = encodeAvroFile(JSON.parse(file.metadata['avro.schema'] as string), file.records, header)
  const path = join(r.ctx.metadataDir, name)
  await writeDurable(path, buf)
  r.written.push(path)
  return { path, length: buf.length }
}

async function rewriteManifest(r: Rewrite, uri: string): Promise<{ path: string; length: number }> {
  const done = r.manifests.get(uri)
  if (done) return done
  const out = await rewriteAvro(r, uri, `${randomUUID()}-m0.avro`, async (entry) => {
    const df = entry.data_file as AvroRecord
    const moved = moveUri(r, df.file_path as string)
    // A copy that lacks a data file would relocate into a table that cannot be read.
    await stat(r.resolve(moved)).catch((err) => {
      throw new K2Error(
        'NOT_FOUND',
        `cannot relocate ${r.ctx.spec.name}: data file ${r.resolve(moved)} is missing; copy the whole table folder`,
        {
          cause: err,
        },
      )
    })
    df.file_path = moved
  })
  r.manifests.set(uri, out)
  return out
}

async function rewriteSnapshot(r: Rewrite, s: Snapshot): Promise<Snapshot> {
  const list = await rewriteAvro(r, s['manifest-list'], `snap-${s['snapshot-id']}-r-${randomUUID()}.avro`, async (m) => {
    if (m.content !== 0 && m.content !== undefined) {
      throw new K2Error(
        'UNSUPPORTED',
        `cannot relocate ${r.ctx.spec.name}: it has delete files, whose contents name data files; K2 does not rewrite them`,
      )
    }
    const moved = await rewriteManifest(r, m.manifest_path as string)
    m.manifest_path = toUri(moved.path)
    m.manifest_length = moved.length
  })
  return { ...s, 'manifest-list': toUri(list.path) }
}

/** Relocates the table to `ctx.dir`; null when its metadata already names that folder. */
export async function relocateTable(ctx: TableContext): Promise<Relocation | null> {
  for (let attempt = 0; ; attempt++) {
    const base = await loadLatest(ctx)
    if (!base || (await isAtLocation(base.metadata.location, ctx.dir))) return null
    const meta = base.metadata
    const r: Rewrite = {
      ctx,
      from: normalizeUri(meta.location),
      to: normalizeUri(toUri(ctx.dir)),
      resolve: prefixResolver({ [meta.location]: ctx.dir }),
      written: [],
      manifests: new Map(),
    }
    let won = false
    try {
      const snapshots: Snapshot[] = []
      for (const s of meta.snapshots) snapshots.push(await rewriteSnapshot(r, s))
      const now = Math.max(ctx.nowMs(), meta['last-updated-ms'])
      const log = [...meta['metadata-log'], { 'timestamp-ms': meta['last-updated-ms'], 'metadata-file': toUri(base.file) }]
      const metadata: TableMetadata = {
        ...meta,
        location: r.to,
        'last-updated-ms': now,
        snapshots,
        // Earlier versions are files of this copy too: name them here (they still name the old paths inside).
        'metadata-log': log.map((e) => ({ ...e, 'metadata-file': moveOrKeep(r, e['metadata-file']) })).slice(-100),
      }
      won = await publishVersion(ctx, base.version, metadata)
      if (won) return { from: meta.location, to: r.to, version: base.version + 1, snapshots: snapshots.length }
    } finally {
      if (!won) await Promise.all(r.written.map((p) => unlink(p).catch(() => {})))
    }
    if (attempt >= ctx.maxRetries) {
      throw new K2Error('COMMIT_CONFLICT', `relocating ${ctx.spec.name} lost the race ${attempt + 1} times to other writers: retry later`)
    }
  }
}

function moveOrKeep(r: Rewrite, uri: string): string {
  const u = normalizeUri(uri)
  return u === r.from || u.startsWith(`${r.from}/`) ? r.to + u.slice(r.from.length) : uri
}
