import { K2Error } from '@k2/core'
import { parseJsonExact, toBigIntId } from './exact-json.js'
import { metadataProblem } from './metadata-checks.js'
import type { TableSpec } from './table-spec.js'

/**
 * Iceberg v2 table metadata (`vN.metadata.json`), the fields K2 reads and writes. Snapshot ids are
 * 64-bit (`bigint`; other engines draw them up to 2^63); `current-snapshot-id` is -1n for none.
 */
export interface Snapshot {
  'snapshot-id': bigint
  'parent-snapshot-id'?: bigint
  'sequence-number': number
  'timestamp-ms': number
  'manifest-list': string
  summary: Record<string, string> & { operation: string }
  'schema-id': number
}

export interface TableMetadata {
  'format-version': 2
  'table-uuid': string
  location: string
  'last-sequence-number': number
  'last-updated-ms': number
  'last-column-id': number
  schemas: Record<string, unknown>[]
  'current-schema-id': number
  'partition-specs': Record<string, unknown>[]
  'default-spec-id': number
  'last-partition-id': number
  'sort-orders': Record<string, unknown>[]
  'default-sort-order-id': number
  properties: Record<string, string>
  'current-snapshot-id': bigint
  snapshots: Snapshot[]
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': bigint }[]
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[]
  refs: Record<string, { 'snapshot-id': bigint; type: 'branch' | 'tag' }>
  statistics: unknown[]
  'partition-statistics': unknown[]
}

/** Where a table lives and how it commits (a `TableCore` is one). */
export interface TableContext {
  spec: TableSpec
  dir: string
  metadataDir: string
  /** Wall clock in ms (injectable for tests). */
  nowMs: () => number
  maxRetries: number
}

/** A loaded version: its number, the file it came from, and the metadata. */
export interface Version {
  version: number
  file: string
  metadata: TableMetadata
}

const REQUIRED: [keyof TableMetadata, string][] = [
  ['format-version', 'number'],
  ['table-uuid', 'string'],
  ['location', 'string'],
  ['last-sequence-number', 'number'],
  ['last-updated-ms', 'number'],
  ['last-column-id', 'number'],
  ['current-schema-id', 'number'],
  ['default-spec-id', 'number'],
  ['last-partition-id', 'number'],
  ['default-sort-order-id', 'number'],
]

function corrupt(file: string, why: string, cause?: unknown): K2Error {
  const n = Number(/v(\d+)\.metadata\.json$/.exec(file)?.[1] ?? 0)
  const rollBack = n > 1 ? `; or, to roll back to the previous version, delete it and write ${n - 1} into version-hint.text` : ''
  return new K2Error('CORRUPT_TABLE', `table metadata ${file} is unreadable (${why}): restore it from a backup${rollBack}`, {
    cause,
    details: { file },
  })
}

/** Parses and checks one metadata file; a malformed or truncated file is CORRUPT_TABLE. */
export function parseMetadata(text: string, file: string): TableMetadata {
  let m: unknown
  try {
    m = parseJsonExact(text)
  } catch (err) {
    throw corrupt(file, 'not valid JSON, perhaps truncated', err)
  }
  if (typeof m !== 'object' || m === null) throw corrupt(file, 'not a JSON object')
  const obj = m as Record<string, unknown>
  for (const [key, type] of REQUIRED) {
    if (typeof obj[key] !== type) throw corrupt(file, `field "${key}" is missing or not a ${type}`)
  }
  if (obj['format-version'] !== 2) throw corrupt(file, `format-version ${String(obj['format-version'])} is not 2`)
  for (const key of ['schemas', 'partition-specs', 'sort-orders'] as const) {
    if (!Array.isArray(obj[key])) throw corrupt(file, `field "${key}" is missing`)
  }
  const problem = metadataProblem(obj)
  if (problem) throw corrupt(file, problem)
  const meta = obj as unknown as TableMetadata
  meta.snapshots ??= []
  meta['snapshot-log'] ??= []
  meta['metadata-log'] ??= []
  meta.refs ??= {}
  meta.properties ??= {}
  meta.statistics ??= []
  meta['partition-statistics'] ??= []
  exactIds(meta, file)
  const current = meta['current-snapshot-id']
  if (current !== -1n && !meta.snapshots.some((s) => s['snapshot-id'] === current)) {
    throw corrupt(file, `current snapshot ${current} is not among its snapshots`)
  }
  return meta
}

/** Makes every snapshot id a bigint (JSON gives small ones as numbers); a non-integer id is CORRUPT_TABLE. */
function exactIds(meta: TableMetadata, file: string): void {
  const id = (value: unknown, where: string): bigint => {
    const out = toBigIntId(value)
    if (out === undefined) throw corrupt(file, `${where} ${String(value)} is not an integer snapshot id`)
    return out
  }
  const current = meta['current-snapshot-id'] as unknown
  meta['current-snapshot-id'] = current === undefined || current === null ? -1n : id(current, 'current-snapshot-id')
  for (const s of meta.snapshots) {
    s['snapshot-id'] = id(s['snapshot-id'], 'snapshot-id')
    if (s['parent-snapshot-id'] === null) delete s['parent-snapshot-id']
    if (s['parent-snapshot-id'] !== undefined) s['parent-snapshot-id'] = id(s['parent-snapshot-id'], 'parent-snapshot-id')
  }
  for (const e of meta['snapshot-log']) e['snapshot-id'] = id(e['snapshot-id'], 'snapshot-log snapshot-id')
  for (const r of Object.values(meta.refs)) r['snapshot-id'] = id(r['snapshot-id'], 'refs snapshot-id')
}
