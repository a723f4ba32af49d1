import type { ManifestEntry, ManifestFileRecord } from './manifest-schemas.js'

/**
 * Decoded manifest records made exact and uniform: Avro longs arrive as numbers when exact and as
 * bigints above 2^53 (`avro-file.ts`), so ids become bigints always, and a count or size too large
 * for a number is refused rather than rounded.
 */

function id(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number)
}

function count(value: unknown, what: string): number {
  if (typeof value === 'number') return value
  throw new Error(`${what} ${String(value)} is beyond 2^53`)
}

function seq(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : count(value, what)
}

export function exactListRecord(r: ManifestFileRecord): ManifestFileRecord {
  r.added_snapshot_id = id(r.added_snapshot_id)
  r.sequence_number = count(r.sequence_number ?? 0, 'sequence_number')
  r.min_sequence_number = count(r.min_sequence_number ?? 0, 'min_sequence_number')
  r.manifest_length = count(r.manifest_length, 'manifest_length')
  r.content ??= 0
  return r
}

export function exactEntry(e: ManifestEntry): ManifestEntry {
  e.snapshot_id = e.snapshot_id === null || e.snapshot_id === undefined ? null : id(e.snapshot_id)
  e.sequence_number = seq(e.sequence_number, 'sequence_number')
  e.file_sequence_number = seq(e.file_sequence_number, 'file_sequence_number')
  const f = e.data_file
  f.content ??= 0
  f.record_count = count(f.record_count, 'record_count')
  f.file_size_in_bytes = count(f.file_size_in_bytes, 'file_size_in_bytes')
  return e
}
