import { K2Error } from '@k2/core'
import type { ManifestFileRecord } from './manifest-schemas.js'
import type { TableMetadata } from './table-metadata.js'
import { icebergPartitionSpec, icebergSchema, nameMapping, type TableSpec } from './table-spec.js'

/**
 * What K2 writes: unsorted Parquet data files of its own table layouts (the schema and partition
 * spec of `table-spec.ts`: identity, day and month transforms), copy-on-write (no delete files).
 * A table that another engine changed — delete files, a sort order, another partition spec or an
 * evolved schema — or that was written by another engine altogether, K2 must not write to: a
 * compaction would resurrect deleted rows, an append would ignore the sort order or the new
 * columns. Writes refuse with UNSUPPORTED, naming each feature, before anything is written.
 */

const K2_TRANSFORMS = new Set(['identity', 'day', 'month'])
const K2_TYPES = new Set(['string', 'long', 'int', 'double', 'boolean', 'timestamptz'])

type Field = { id: number; name: string; type: unknown; required: boolean }

function schemaOf(meta: TableMetadata): { fields: Field[] } | undefined {
  return meta.schemas.find((s) => s['schema-id'] === meta['current-schema-id']) as { fields: Field[] } | undefined
}

/** The features of `meta` K2 does not write; for a K2 table, also how it differs from K2's layout. */
export function unsupportedFeatures(meta: TableMetadata, manifests: readonly ManifestFileRecord[], spec?: TableSpec): string[] {
  const out: string[] = []
  const deletes = manifests.filter((m) => m.content !== 0).length
  if (deletes > 0 || Number(currentSummary(meta)['total-delete-files'] ?? 0) > 0) {
    out.push('delete files (row-level deletes; K2 deletes rows by rewriting files)')
  }
  const order = meta['sort-orders'].find((o) => o['order-id'] === meta['default-sort-order-id']) as { fields?: unknown[] } | undefined
  if ((order?.fields?.length ?? 0) > 0) out.push(`sort order ${meta['default-sort-order-id']} (K2 writes unsorted tables)`)
  const pspec = meta['partition-specs'].find((p) => p['spec-id'] === meta['default-spec-id']) as
    | { fields: { transform: string; name: string }[] }
    | undefined
  for (const f of pspec?.fields ?? []) {
    if (!K2_TRANSFORMS.has(f.transform)) out.push(`partition transform ${f.transform} on ${f.name}`)
  }
  const schema = schemaOf(meta)
  for (const f of schema?.fields ?? []) {
    if (typeof f.type !== 'string' || !K2_TYPES.has(f.type))
      out.push(`column type ${typeof f.type === 'string' ? f.type : 'nested'} ("${f.name}")`)
  }
  if (spec) {
    const differs = layoutDiffers(meta, spec)
    if (differs.schema) out.push(`a schema other than ${spec.name}'s (an older K2's, or evolved by another engine)`)
    if (differs.partition) out.push(`a partition spec other than ${spec.name}'s`)
  } else {
    out.push('read-only access (openTable); K2 writes only the lake tables openLake() manages')
  }
  return out
}

/**
 * An empty table of an older layout (made by an earlier K2, whose schema or partition spec differs
 * from this one's, and never written to) takes the current layout: its schema and partition spec
 * are replaced in place, as if it had been created now — with no snapshot, no reader can see a
 * file of the old layout. Null when there is nothing to do, or the table holds snapshots (then
 * `assertWritable` refuses, naming the difference).
 */
export function currentLayout(meta: TableMetadata, spec: TableSpec): TableMetadata | null {
  if (meta.snapshots.length > 0 || meta['current-snapshot-id'] !== -1n) return null
  const differs = layoutDiffers(meta, spec)
  if (!differs.schema && !differs.partition) return null
  const schema = icebergSchema(spec)
  const pspec = icebergPartitionSpec(spec)
  return {
    ...meta,
    schemas: [schema],
    'current-schema-id': 0,
    'last-column-id': Math.max(meta['last-column-id'], spec.columns.length),
    'partition-specs': [pspec],
    'default-spec-id': 0,
    'last-partition-id': Math.max(meta['last-partition-id'], 999 + spec.partition.length),
    properties: { ...meta.properties, 'schema.name-mapping.default': nameMapping(spec) },
  }
}

/** Whether the table's current schema (ids, names, types, required) and partition spec are not `spec`'s. */
function layoutDiffers(meta: TableMetadata, spec: TableSpec): { schema: boolean; partition: boolean } {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const column = ({ id, name, type, required }: Field) => ({ id, name, type, required })
  const want = (icebergSchema(spec).fields as Field[]).map(column)
  const have = (schemaOf(meta)?.fields ?? []).map(column)
  const key = (f: Record<string, unknown>) => [f['source-id'], f['field-id'], f.name, f.transform]
  const pspec = meta['partition-specs'].find((p) => p['spec-id'] === meta['default-spec-id']) as { fields?: unknown[] } | undefined
  const fields = (pspec?.fields ?? []) as Record<string, unknown>[]
  return { schema: !same(want, have), partition: !same(icebergPartitionSpec(spec).fields.map(key), fields.map(key)) }
}

function currentSummary(meta: TableMetadata): Record<string, string> {
  return meta.snapshots.find((s) => s['snapshot-id'] === meta['current-snapshot-id'])?.summary ?? {}
}

/** Throws UNSUPPORTED when K2 must not write to the table; `what` names the table for the message. */
export function assertWritable(what: string, meta: TableMetadata, manifests: readonly ManifestFileRecord[], spec?: TableSpec): void {
  const features = unsupportedFeatures(meta, manifests, spec)
  if (features.length === 0) return
  throw new K2Error(
    'UNSUPPORTED',
    `K2 does not write to ${what}: it uses ${features.join('; ')}. Nothing was changed; write to it with the engine that made it (Spark, pyiceberg), or read it with K2 and write the rows to a K2 table`,
    { details: { table: what, features } },
  )
}
