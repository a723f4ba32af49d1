import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
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

/** Creates the table (v1, no snapshot) unless it exists; returns the latest version. */
export async function ensureTable(ctx: TableContext): Promise<Version> {
  for (;;) {
    const latest = await loadLatest(ctx)
    if (latest) return latest
    await mkdir(ctx.metadataDir, { recursive: true })
    await mkdir(join(ctx.dir, 'data'), { recursive: true })
    await publishVersion(ctx, 0, newTableMetadata(ctx.spec, toUri(ctx.dir), ctx.nowMs()))
  }
}
