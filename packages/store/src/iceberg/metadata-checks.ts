/**
 * Checks of the parts of a metadata file that K2 reads — every snapshot, ref and log entry — so a
 * hand-edited, truncated-then-repaired or foreign file fails when it is loaded, naming what is
 * wrong, instead of deep inside a scan as a TypeError. Ids may be numbers or bigints.
 */

type Obj = Record<string, unknown>

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isInteger = (v: unknown): boolean => (typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'bigint'
const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v)
const show = (v: unknown): string => (typeof v === 'bigint' ? String(v) : (JSON.stringify(v)?.slice(0, 80) ?? String(v)))

function snapshotProblem(s: unknown, i: number, lastSequence: unknown): string | null {
  if (!isObject(s)) return `snapshot #${i} is ${show(s)}, not an object`
  const id = s['snapshot-id']
  if (!isInteger(id)) return `snapshot #${i} has snapshot-id ${show(id)}, not an integer`
  const name = `snapshot ${String(id)}`
  const parent = s['parent-snapshot-id']
  if (parent !== undefined && parent !== null && !isInteger(parent)) return `${name} has parent-snapshot-id ${show(parent)}`
  const list = s['manifest-list']
  if (typeof list !== 'string' || list.length === 0) return `${name} has no "manifest-list" (it is ${show(list)})`
  const seq = s['sequence-number']
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return `${name} has sequence-number ${show(seq)}`
  if (typeof lastSequence === 'number' && seq > lastSequence)
    return `${name} has sequence-number ${seq} > last-sequence-number ${lastSequence}`
  if (!isTime(s['timestamp-ms'])) return `${name} has timestamp-ms ${show(s['timestamp-ms'])}`
  const summary = s.summary
  if (!isObject(summary) || typeof summary.operation !== 'string') return `${name} has no summary with an "operation"`
  const schema = s['schema-id']
  if (schema !== undefined && schema !== null && !isInteger(schema)) return `${name} has schema-id ${show(schema)}`
  return null
}

function logProblem(m: Obj): string | null {
  for (const key of ['snapshots', 'snapshot-log', 'metadata-log', 'statistics', 'partition-statistics']) {
    if (m[key] !== undefined && m[key] !== null && !Array.isArray(m[key])) return `"${key}" is ${show(m[key])}, not a list`
  }
  for (const e of (m['snapshot-log'] as unknown[] | undefined) ?? []) {
    if (!isObject(e) || !isInteger(e['snapshot-id']) || !isTime(e['timestamp-ms'])) return `snapshot-log entry ${show(e)} is malformed`
  }
  for (const e of (m['metadata-log'] as unknown[] | undefined) ?? []) {
    if (!isObject(e) || typeof e['metadata-file'] !== 'string' || !isTime(e['timestamp-ms']))
      return `metadata-log entry ${show(e)} is malformed`
  }
  const props = m.properties
  if (props !== undefined && props !== null && !(isObject(props) && Object.values(props).every((v) => typeof v === 'string')))
    return '"properties" is not a map of strings'
  return null
}

/** What is wrong with the snapshots, refs and logs of a parsed metadata object, or null. */
export function metadataProblem(m: Obj): string | null {
  const logs = logProblem(m)
  if (logs) return logs
  const ids = new Set<string>()
  for (const [i, s] of ((m.snapshots as unknown[] | undefined) ?? []).entries()) {
    const problem = snapshotProblem(s, i, m['last-sequence-number'])
    if (problem) return problem
    const id = String((s as Obj)['snapshot-id'])
    if (ids.has(id)) return `snapshot ${id} appears twice`
    ids.add(id)
  }
  const refs = m.refs
  if (refs === undefined || refs === null) return null
  if (!isObject(refs)) return `"refs" is ${show(refs)}, not a map`
  for (const [name, ref] of Object.entries(refs)) {
    if (!isObject(ref) || !isInteger(ref['snapshot-id']) || (ref.type !== 'branch' && ref.type !== 'tag'))
      return `ref "${name}" is malformed`
    if (!ids.has(String(ref['snapshot-id'])))
      return `ref "${name}" points to snapshot ${String(ref['snapshot-id'])}, which is not among its snapshots`
  }
  return null
}
