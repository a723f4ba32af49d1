import type { TableSpec } from './table-spec.js'

/**
 * The exact Avro schemas of Iceberg v2 manifests and manifest lists, with the spec's field ids.
 * Optional fields are `["null", T]` with a null default; int-keyed maps are arrays of key/value
 * records marked `logicalType: "map"`; primitives are bare strings; every record is inlined and
 * named uniquely — the rules PyIceberg, DuckDB, Java and icebird enforce between them.
 */

const opt = (name: string, id: number, type: unknown) => ({ name, type: ['null', type], default: null, 'field-id': id })
const req = (name: string, id: number, type: unknown) => ({ name, type, 'field-id': id })

function intMap(name: string, id: number, keyId: number, valueId: number, valueType: 'long' | 'bytes') {
  return opt(name, id, {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [req('key', keyId, 'int'), req('value', valueId, valueType)],
    },
  })
}

const PARTITION_AVRO: Record<string, unknown> = {
  day: { type: 'int', logicalType: 'date' },
  month: 'int',
  string: 'string',
  long: 'long',
  int: 'int',
  double: 'double',
  boolean: 'boolean',
  timestamptz: { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true },
}

/** Avro type of a partition field's value (result type of its transform). */
export function partitionAvroType(spec: TableSpec, fieldIndex: number): unknown {
  const p = spec.partition[fieldIndex]
  if (!p) throw new Error('no such partition field')
  if (p.transform !== 'identity') return PARTITION_AVRO[p.transform]
  const col = spec.columns.find((c) => c.id === p.sourceId)
  return PARTITION_AVRO[col?.type ?? 'string']
}

export function manifestEntrySchema(spec: TableSpec): object {
  const partition = {
    type: 'record',
    name: 'r102',
    fields: spec.partition.map((p, i) => opt(p.name, p.fieldId, partitionAvroType(spec, i))),
  }
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      req('content', 134, 'int'),
      req('file_path', 100, 'string'),
      req('file_format', 101, 'string'),
      req('partition', 102, partition),
      req('record_count', 103, 'long'),
      req('file_size_in_bytes', 104, 'long'),
      intMap('column_sizes', 108, 117, 118, 'long'),
      intMap('value_counts', 109, 119, 120, 'long'),
      intMap('null_value_counts', 110, 121, 122, 'long'),
      intMap('nan_value_counts', 137, 138, 139, 'long'),
      intMap('lower_bounds', 125, 126, 127, 'bytes'),
      intMap('upper_bounds', 128, 129, 130, 'bytes'),
      opt('key_metadata', 131, 'bytes'),
      opt('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }),
      opt('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }),
      opt('sort_order_id', 140, 'int'),
    ],
  }
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      req('status', 0, 'int'),
      opt('snapshot_id', 1, 'long'),
      opt('sequence_number', 3, 'long'),
      opt('file_sequence_number', 4, 'long'),
      req('data_file', 2, dataFile),
    ],
  }
}

export const MANIFEST_LIST_SCHEMA = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    req('manifest_path', 500, 'string'),
    req('manifest_length', 501, 'long'),
    req('partition_spec_id', 502, 'int'),
    req('content', 517, 'int'),
    req('sequence_number', 515, 'long'),
    req('min_sequence_number', 516, 'long'),
    req('added_snapshot_id', 503, 'long'),
    req('added_files_count', 504, 'int'),
    req('existing_files_count', 505, 'int'),
    req('deleted_files_count', 506, 'int'),
    req('added_rows_count', 512, 'long'),
    req('existing_rows_count', 513, 'long'),
    req('deleted_rows_count', 514, 'long'),
    opt('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          req('contains_null', 509, 'boolean'),
          opt('contains_nan', 518, 'boolean'),
          opt('lower_bound', 510, 'bytes'),
          opt('upper_bound', 511, 'bytes'),
        ],
      },
    }),
    opt('key_metadata', 519, 'bytes'),
  ],
}

/** A map entry as avsc sees an Iceberg int-keyed map. */
export interface KV<V> {
  key: number
  value: V
}

export interface DataFileRecord {
  content: number
  file_path: string
  file_format: string
  partition: Record<string, string | number | null>
  record_count: number
  file_size_in_bytes: number
  column_sizes: KV<number>[] | null
  value_counts: KV<number>[] | null
  null_value_counts: KV<number>[] | null
  nan_value_counts: KV<number>[] | null
  lower_bounds: KV<Buffer>[] | null
  upper_bounds: KV<Buffer>[] | null
  key_metadata: Buffer | null
  split_offsets: number[] | null
  equality_ids: number[] | null
  sort_order_id: number | null
}

/** A manifest entry; ids are bigints (64-bit), counts and sequence numbers exact numbers. */
export interface ManifestEntry {
  status: 0 | 1 | 2
  snapshot_id: bigint | null
  sequence_number: number | null
  file_sequence_number: number | null
  data_file: DataFileRecord
}

export interface FieldSummary {
  contains_null: boolean
  contains_nan: boolean | null
  lower_bound: Buffer | null
  upper_bound: Buffer | null
}

export interface ManifestFileRecord {
  manifest_path: string
  manifest_length: number
  partition_spec_id: number
  content: number
  sequence_number: number
  min_sequence_number: number
  added_snapshot_id: bigint
  added_files_count: number
  existing_files_count: number
  deleted_files_count: number
  added_rows_count: number
  existing_rows_count: number
  deleted_rows_count: number
  partitions: FieldSummary[] | null
  key_metadata: Buffer | null
}
