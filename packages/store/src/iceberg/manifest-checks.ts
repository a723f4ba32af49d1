/**
 * Checks of decoded manifest lists and manifests: an Avro file that decodes is not yet a sound one
 * (a garbled or hand-made file can hold a status 7, a negative record count or a path that is no
 * path). Each problem is reported with the record it is in; the caller names the file.
 */

type Obj = Record<string, unknown>

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isCount = (v: unknown): boolean => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n)
const isInteger = (v: unknown): boolean => (typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'bigint'
const isPath = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0')
const show = (v: unknown): string => (typeof v === 'bigint' ? String(v) : (JSON.stringify(v)?.slice(0, 120) ?? String(v)))

/** What is wrong with the records of a manifest list, or null. */
export function manifestListProblem(records: readonly unknown[]): string | null {
  for (const [i, r] of records.entries()) {
    if (!isObject(r)) return `entry #${i} is not a record`
    if (!isPath(r.manifest_path)) return `entry #${i} has manifest_path ${show(r.manifest_path)}`
    if (r.content !== 0 && r.content !== 1) return `manifest ${r.manifest_path} has content ${show(r.content)} (0 data, 1 deletes)`
    for (const key of ['manifest_length', 'sequence_number', 'min_sequence_number']) {
      if (!isCount(r[key])) return `manifest ${r.manifest_path} has ${key} ${show(r[key])}`
    }
    if (!isInteger(r.partition_spec_id) || !isInteger(r.added_snapshot_id))
      return `manifest ${r.manifest_path} has a malformed partition_spec_id or added_snapshot_id`
    for (const key of ['added_files_count', 'existing_files_count', 'deleted_files_count']) {
      if (r[key] !== null && r[key] !== undefined && !isCount(r[key])) return `manifest ${r.manifest_path} has ${key} ${show(r[key])}`
    }
  }
  return null
}

function dataFileProblem(f: unknown): string | null {
  if (!isObject(f)) return 'has no data_file record'
  if (!isPath(f.file_path)) return `lists data file ${show(f.file_path)}`
  const name = `data file ${f.file_path}`
  if (f.content !== 0 && f.content !== 1 && f.content !== 2) return `${name} has content ${show(f.content)}`
  if (typeof f.file_format !== 'string') return `${name} has file_format ${show(f.file_format)}`
  if (!isObject(f.partition)) return `${name} has no partition record`
  if (!isCount(f.record_count) || !isCount(f.file_size_in_bytes))
    return `${name} has record_count ${show(f.record_count)}, size ${show(f.file_size_in_bytes)}`
  for (const key of ['lower_bounds', 'upper_bounds', 'null_value_counts', 'value_counts', 'nan_value_counts']) {
    const kv = f[key]
    if (kv === null || kv === undefined) continue
    if (!Array.isArray(kv) || !kv.every((e) => isObject(e) && isInteger(e.key))) return `${name} has malformed ${key}`
  }
  return null
}

/** What is wrong with the entries of a manifest, or null. */
export function manifestProblem(entries: readonly unknown[]): string | null {
  for (const [i, e] of entries.entries()) {
    if (!isObject(e)) return `entry #${i} is not a record`
    if (e.status !== 0 && e.status !== 1 && e.status !== 2)
      return `entry #${i} has status ${show(e.status)} (0 existing, 1 added, 2 deleted)`
    for (const key of ['snapshot_id', 'sequence_number', 'file_sequence_number']) {
      if (e[key] !== null && e[key] !== undefined && !isInteger(e[key])) return `entry #${i} has ${key} ${show(e[key])}`
    }
    const problem = dataFileProblem(e.data_file)
    if (problem) return `entry #${i} ${problem}`
  }
  return null
}
