import { K2Error, showValue, type TableName, type TimeInput, toMicros } from '@k2/core'
import type { CompiledQuery, Param, Source } from './compiled-query.js'
import { QueryCompiler } from './query-compiler.js'
import { checkTable } from './schema.js'
import type { RawPart, RawSqlNode, TableRef, TimeParam } from './sql-node.js'
import { MAX_STRING_VALUE } from './value.js'
import { MAX_IN_LIST } from './where-parser.js'

// Only objects made here are accepted: a look-alike `{ kind: 'ref', … }` from JSON is rejected.
const GENUINE = new WeakSet<object>()

/** A reference to `table` at a snapshot, for splicing into a `sql` template. */
export function tableRef(table: TableName, asOf: TableRef['asOf']): TableRef {
  const ref: TableRef = Object.freeze({ kind: 'ref', table: checkTable(table), asOf })
  GENUINE.add(ref)
  return ref
}

/** A time (Date, ISO string or epoch µs) bound as TIMESTAMPTZ in a `sql` template. */
export function timeParam(input: TimeInput): TimeParam {
  const t: TimeParam = Object.freeze({ kind: 'time', micros: toMicros(input) })
  GENUINE.add(t)
  return t
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Checks one interpolation; anything that is not a plain value, a time or a genuine ref is a VALIDATION error. */
function rawPart(value: unknown, index: number): RawPart {
  const bad = (why: string) => new K2Error('VALIDATION', `sql template value #${index + 1} ${showValue(value)}: ${why}`)
  if (value === null || typeof value === 'boolean') return { kind: 'value', value }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_VALUE) throw bad(`strings are limited to ${MAX_STRING_VALUE} characters`)
    return { kind: 'value', value }
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad('numbers must be finite')
    return { kind: 'value', value }
  }
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) throw bad('bigints must fit in 64 bits')
    return { kind: 'value', value }
  }
  if (value instanceof Date) return timeParam(value)
  if (typeof value === 'object' && GENUINE.has(value)) return value as TableRef | TimeParam
  if (Array.isArray(value)) {
    if (value.length > MAX_IN_LIST) throw bad(`lists are limited to ${MAX_IN_LIST} values`)
    if (value.every((v) => typeof v === 'string' && v.length <= MAX_STRING_VALUE))
      return { kind: 'value', value: Object.freeze([...value]) as string[] }
    if (value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return { kind: 'value', value: Object.freeze([...value]) as number[] }
    }
    throw bad('lists must hold only strings or only finite numbers')
  }
  throw bad('expected a string, number, bigint, boolean, null, Date, list, layer.time(…) or layer.ref(…)')
}

/** Checks a tagged template call and its values into a node. */
export function rawSqlNode(strings: unknown, values: readonly unknown[]): RawSqlNode {
  // A real template's strings array is frozen and carries `raw`: a plain array here means the
  // tag was called as a function with text built at run time, which is exactly what it must not take.
  const s = strings as TemplateStringsArray
  if (!Array.isArray(s) || !Array.isArray(s.raw) || !Object.isFrozen(s) || s.length !== values.length + 1) {
    throw new K2Error(
      'VALIDATION',
      'sql must be used as a tagged template (layer.sql`select …` with values interpolated), never called with a built string',
    )
  }
  return Object.freeze({ kind: 'raw', strings: Object.freeze([...s]), parts: Object.freeze(values.map(rawPart)) })
}

/** Compiles a template: literal text as written, every value a `$n`, every ref a `read_parquet` of its snapshot's files. */
export function compileRaw(node: RawSqlNode, sourceOf: (ref: TableRef) => Source): CompiledQuery {
  const c = new QueryCompiler()
  let sql = node.strings[0] ?? ''
  node.parts.forEach((part, i) => {
    if (part.kind === 'ref') sql += c.source(part.table, sourceOf(part))
    else if (part.kind === 'time') sql += `make_timestamp(${c.value(part.micros)}::BIGINT)::TIMESTAMPTZ`
    else sql += c.value(part.value)
    sql += node.strings[i + 1] ?? ''
  })
  return Object.freeze({ sql, params: Object.freeze([...c.params]) as readonly Param[] })
}
