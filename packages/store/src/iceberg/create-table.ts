import { randomUUID } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { toUri } from './file-uri.js'
import { loadLatest, publishVersion } from './metadata-versions.js'
import type { TableContext, TableMetadata, Version } from './table-metadata.js'
import { icebergPartitionSpec, icebergSchema, nameMapping, type TableSpec } from './table-spec.js'

/** A new table: its v1 metadata (no snapshot), published like any other version. */

/** Builds the v1 metadata of a new table. */
function newTableMetadata(spec: TableSpec, location: string, nowMs: number): TableMetadata {
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': nowMs,
    'last-column-id': spec.columns.length,
    schemas: [icebergSchema(spec)],
    'current-schema-id': 0,
    'partition-specs': [icebergPartitionSpec(spec)],
    'default-spec-id': 0,
    'last-partition-id': spec.partition.length > 0 ? 999 + spec.partition.length : 999,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'zstd',
      'schema.name-mapping.default': nameMapping(spec),
    },
    'current-snapshot-id': -1n,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    refs: {},
    statistics: [],
    'partition-statistics': [],
  }
}

/**
 * Creates the table (v1, no snapshot) unless it exists; returns the latest version. Refuses to
 * create it over data files left without metadata (they would become orphans that clean-up deletes).
 */
export async function ensureTable(ctx: TableContext): Promise<Version> {
  for (;;) {
    const latest = await loadLatest(ctx, { fresh: true })
    if (latest) return latest
    if (await holdsFiles(join(ctx.dir, 'data'))) {
      throw new K2Error(
        'CORRUPT_TABLE',
        `${ctx.spec.name} at ${ctx.dir} has data files but no metadata (metadata/ was deleted or emptied): restore metadata/ from a backup, or move the table directory away to start the table again`,
        { details: { dir: ctx.dir } },
      )
    }
    try {
      await mkdir(ctx.metadataDir, { recursive: true })
      await mkdir(join(ctx.dir, 'data'), { recursive: true })
      await publishVersion(ctx, 0, newTableMetadata(ctx.spec, toUri(ctx.dir), ctx.nowMs()))
    } catch (err) {
      throw creationError(ctx, err)
    }
  }
}

/** Whether `dir` holds any file, however deep (the partition directories alone are not data). */
async function holdsFiles(dir: string): Promise<boolean> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return false
  }
  for (const e of entries) {
    if (!e.isDirectory() || (await holdsFiles(join(dir, e.name)))) return true
  }
  return false
}

/** A table not created yet in a lake that cannot be written: an empty, unpublished v0 to read. */
export function unpublishedTable(ctx: TableContext): Version {
  return { version: 0, file: join(ctx.metadataDir, 'v0.metadata.json'), metadata: newTableMetadata(ctx.spec, toUri(ctx.dir), ctx.nowMs()) }
}

/** Whether `err` is ensureTable's refusal for a lake that is not writable. */
export function isReadOnlyLake(err: unknown): boolean {
  return K2Error.isInstance(err) && err.code === 'IO' && err.details?.readOnly === true
}

/** Why a table could not be created: a read-only lake is IO with what to do, not a raw EACCES. */
function creationError(ctx: TableContext, err: unknown): K2Error {
  if (K2Error.isInstance(err)) return err
  const code = (err as NodeJS.ErrnoException).code
  const readOnly = code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
  return new K2Error(
    'IO',
    readOnly
      ? `cannot create ${ctx.spec.name} in ${ctx.dir}: the lake is not writable (${code}); open a writable lake to write, or only read (tables not created yet read as empty)`
      : `cannot create ${ctx.spec.name} in ${ctx.dir} (${code ?? (err as Error).message}): check the lake directory`,
    { cause: err, details: { dir: ctx.dir, code, readOnly } },
  )
}
