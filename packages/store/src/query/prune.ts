import { MICROS_PER_DAY, MICROS_PER_HOUR, type TableName, toIso } from '@k2/core'
import type { DataFile } from '../catalog.js'
import type { FilterNode, Scalar } from './filter-node.js'
import { columnSpec } from './schema.js'

/** A closed range of one column's values in a file, as far as its metadata tells. */
interface Range {
  min?: string | number
  max?: string | number
  /** What the range came from, for `explain()`. */
  from: string
}

/** Why a file cannot hold a matching row: one reason per failed condition; empty when it may match. */
export function pruneReasons(table: TableName, file: DataFile, filters: readonly FilterNode[]): string[] {
  return evaluate(table, file, filters, true)
}

/** True when a file may hold a matching row: the same test as {@link pruneReasons}, without building messages. */
export function mayHoldMatch(table: TableName, file: DataFile, filters: readonly FilterNode[]): boolean {
  return evaluate(table, file, filters, false).length === 0
}

// With `explain` off this stops at the first failed condition and formats nothing: it runs for every
// file of every query, so it allocates as little as it can.
function evaluate(table: TableName, file: DataFile, filters: readonly FilterNode[], explain: boolean): string[] {
  const reasons: string[] = []
  for (const f of filters) {
    const nulls = file.nullCounts[f.column]
    const allNull = nulls !== undefined && nulls === file.recordCount && file.recordCount > 0
    let failed = false
    if (f.kind === 'null') {
      if (!f.negated && nulls === 0) {
        failed = true
        if (explain) reasons.push(`${f.column} IS NULL: the file has no nulls in ${f.column}`)
      } else if (f.negated && allNull) {
        failed = true
        if (explain) reasons.push(`${f.column} IS NOT NULL: every ${f.column} in the file is null`)
      }
    } else if (allNull) {
      failed = true
      if (explain) reasons.push(`${describe(f)}: every ${f.column} in the file is null`)
    } else {
      const isTime = columnSpec(table, f.column).type === 'timestamptz'
      for (const range of ranges(file, f.column, isTime)) {
        if (mayMatch(f, range)) continue
        failed = true
        if (explain) reasons.push(`${describe(f, isTime)}: ${range.from} is [${fmt(range.min, isTime)}, ${fmt(range.max, isTime)}]`)
        break
      }
    }
    if (failed && !explain) return FAILED
  }
  return reasons
}

const FAILED: string[] = ['']

/** The ranges a file's metadata gives for a column: its bounds, and its partition value (identity or a time transform). */
function ranges(file: DataFile, column: string, isTime: boolean): Range[] {
  const out: Range[] = []
  const lo = file.lowerBounds[column]
  const hi = file.upperBounds[column]
  if (lo !== undefined || hi !== undefined) out.push({ min: lo, max: hi, from: `${column} bounds` })
  const identity = file.partition[column]
  if (identity !== undefined && identity !== null) out.push({ min: identity, max: identity, from: `partition ${column}` })
  if (isTime) {
    const keys = transformKeys(column)
    for (const [i, [, span]] of TIME_TRANSFORMS.entries()) {
      const key = keys[i] as string
      const v = file.partition[key]
      if (typeof v === 'number' && Number.isSafeInteger(v)) {
        const [min, max] = span(v)
        out.push({ min, max, from: `partition ${key}=${v}` })
      }
    }
  }
  return out
}

const KEYS = new Map<string, string[]>()
/** `ts` → `['ts_day', 'ts_hour', 'ts_month', 'ts_year']`, memoized: this runs per file and condition. */
function transformKeys(column: string): string[] {
  let keys = KEYS.get(column)
  if (keys === undefined) {
    keys = TIME_TRANSFORMS.map(([suffix]) => `${column}_${suffix}`)
    KEYS.set(column, keys)
  }
  return keys
}

/** Iceberg time transforms (days/hours/months/years since 1970) as µs ranges [first, last]. */
const TIME_TRANSFORMS: [string, (v: number) => [number, number]][] = [
  ['day', (d) => [d * MICROS_PER_DAY, (d + 1) * MICROS_PER_DAY - 1]],
  ['hour', (h) => [h * MICROS_PER_HOUR, (h + 1) * MICROS_PER_HOUR - 1]],
  ['month', (m) => [Date.UTC(1970, m, 1) * 1000, Date.UTC(1970, m + 1, 1) * 1000 - 1]],
  ['year', (y) => [Date.UTC(1970 + y, 0, 1) * 1000, Date.UTC(1971 + y, 0, 1) * 1000 - 1]],
]

// JS orders strings by UTF-16 unit, Iceberg by UTF-8 byte; they agree below U+D800 only.
const UNSAFE_ORDER = /[\uD800-\uFFFF]/

function comparable(a: unknown, b: Scalar): boolean {
  if (typeof a === 'number' && typeof b === 'number') return !Number.isNaN(a)
  if (typeof a === 'string' && typeof b === 'string') return !UNSAFE_ORDER.test(a) && !UNSAFE_ORDER.test(b)
  return false
}

/** False only when no value in `range` can satisfy `f`; unknown bounds or types always may match. */
function mayMatch(f: Exclude<FilterNode, { kind: 'null' }>, r: Range): boolean {
  const { min, max } = r
  const geMin = (v: Scalar) => !comparable(min, v) || (min as Scalar) <= v
  const leMax = (v: Scalar) => !comparable(max, v) || v <= (max as Scalar)
  const single = min !== undefined && min === max
  if (f.kind === 'in') {
    if (f.negated) return !(single && f.values.length > 0 && f.values.some((v) => v === min))
    return f.values.some((v) => geMin(v) && leMax(v))
  }
  const v = f.value
  switch (f.op) {
    case '=':
      return geMin(v) && leMax(v)
    case '!=':
      return !(single && min === v)
    case '<':
      return !comparable(min, v) || (min as Scalar) < v
    case '<=':
      return geMin(v)
    case '>':
      return !comparable(max, v) || (max as Scalar) > v
    case '>=':
      return leMax(v)
    default:
      return true
  }
}

function fmt(v: unknown, isTime: boolean): string {
  if (v === undefined) return '?'
  return isTime && typeof v === 'number' ? toIso(v) : JSON.stringify(v)
}

function describe(f: Exclude<FilterNode, { kind: 'null' }>, isTime = false): string {
  if (f.kind === 'in')
    return `${f.column} ${f.negated ? 'NOT IN' : 'IN'} (${f.values
      .slice(0, 5)
      .map((v) => fmt(v, isTime))
      .join(', ')}${f.values.length > 5 ? ', …' : ''})`
  return `${f.column} ${f.op} ${fmt(f.value, isTime)}`
}
