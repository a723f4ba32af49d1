import type { DataFile, Scalar } from '@k2/core'
import { MICROS_PER_DAY, MICROS_PER_HOUR, type TableName, toIso } from '@k2/core'
import type { FilterNode } from './filter-node.js'
import { columnSpec } from './schema.js'

/** Why a file cannot hold a matching row: one reason per failed condition; empty when it may match. */
export function pruneReasons(table: TableName, file: DataFile, filters: readonly FilterNode[]): string[] {
  const reasons: string[] = []
  for (const f of filters) {
    const isTime = isTimeColumn(table, f.column)
    const failed = failedRange(f, file, isTime)
    if (failed === PASS) continue
    if (failed === NULLS) reasons.push(nullReason(f))
    else {
      const [min, max, from] = rangeAt(file, f.column, failed)
      reasons.push(`${describe(f as Exclude<FilterNode, { kind: 'null' }>, isTime)}: ${from} is [${fmt(min, isTime)}, ${fmt(max, isTime)}]`)
    }
  }
  return reasons
}

/** True when a file may hold a matching row: the same test as {@link pruneReasons}, without building messages. */
export function mayHoldMatch(table: TableName, file: DataFile, filters: readonly FilterNode[]): boolean {
  return filePruner(table, filters)(file)
}

/**
 * {@link mayHoldMatch} for many files of one query: column types are looked up once, and each file
 * is tested without allocating (it runs for every file of every query), stopping at the first
 * condition the file cannot satisfy.
 */
export function filePruner(table: TableName, filters: readonly FilterNode[]): (file: DataFile) => boolean {
  if (filters.length === 0) return () => true
  const isTime = filters.map((f) => isTimeColumn(table, f.column))
  return (file) => {
    for (let i = 0; i < filters.length; i++) if (failedRange(filters[i] as FilterNode, file, isTime[i] as boolean) !== PASS) return false
    return true
  }
}

/** `failedRange` results: the file may match, or its null count rules it out; otherwise a range index. */
const PASS = -1
const NULLS = -2
/** Range indices: the column's bounds, its identity partition value, then each time transform. */
const BOUNDS = 0
const IDENTITY = 1

function isTimeColumn(table: TableName, column: string): boolean {
  return columnSpec(table, column).type === 'timestamptz'
}

/**
 * Which of the file's metadata rules `f` out: PASS, NULLS, or the index of the first range (bounds,
 * identity partition, time transforms) no value of which can satisfy `f`.
 */
function failedRange(f: FilterNode, file: DataFile, isTime: boolean): number {
  const nulls = file.nullCounts[f.column]
  const allNull = nulls !== undefined && nulls === file.recordCount && file.recordCount > 0
  if (f.kind === 'null') return (!f.negated && nulls === 0) || (f.negated && allNull) ? NULLS : PASS
  if (allNull) return NULLS
  const lo = file.lowerBounds[f.column]
  const hi = file.upperBounds[f.column]
  if ((lo !== undefined || hi !== undefined) && !mayMatch(f, lo, hi)) return BOUNDS
  const identity = file.partition[f.column]
  if (identity !== undefined && identity !== null && !mayMatch(f, identity, identity)) return IDENTITY
  if (isTime) {
    const keys = transformKeys(f.column)
    for (let i = 0; i < TIME_TRANSFORMS.length; i++) {
      const v = file.partition[keys[i] as string]
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) continue
      const start = (TIME_TRANSFORMS[i] as TimeTransform)[1]
      if (!mayMatch(f, start(v), start(v + 1) - 1)) return IDENTITY + 1 + i
    }
  }
  return PASS
}

/** The range `failedRange` pointed at, with where it came from, for `explain()`. */
function rangeAt(file: DataFile, column: string, index: number): [unknown, unknown, string] {
  if (index === BOUNDS) return [file.lowerBounds[column], file.upperBounds[column], `${column} bounds`]
  const identity = file.partition[column]
  if (index === IDENTITY) return [identity, identity, `partition ${column}`]
  const key = transformKeys(column)[index - IDENTITY - 1] as string
  const v = file.partition[key] as number
  const start = (TIME_TRANSFORMS[index - IDENTITY - 1] as TimeTransform)[1]
  return [start(v), start(v + 1) - 1, `partition ${key}=${v}`]
}

function nullReason(f: FilterNode): string {
  if (f.kind !== 'null') return `${describe(f)}: every ${f.column} in the file is null`
  return f.negated
    ? `${f.column} IS NOT NULL: every ${f.column} in the file is null`
    : `${f.column} IS NULL: the file has no nulls in ${f.column}`
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

/** A transform's suffix and the first µs of its value `v`; value `v` covers [start(v), start(v + 1) - 1]. */
type TimeTransform = [string, (v: number) => number]

/** Iceberg time transforms (days/hours/months/years since 1970). */
const TIME_TRANSFORMS: TimeTransform[] = [
  ['day', (d) => d * MICROS_PER_DAY],
  ['hour', (h) => h * MICROS_PER_HOUR],
  ['month', (m) => Date.UTC(1970, m, 1) * 1000],
  ['year', (y) => Date.UTC(1970 + y, 0, 1) * 1000],
]

function comparable(a: unknown, b: Scalar): boolean {
  if (typeof a === 'number' && typeof b === 'number') return !Number.isNaN(a)
  if (typeof a === 'string' && typeof b === 'string') return orderSafe(a) && orderSafe(b)
  return false
}

/**
 * JS orders strings by UTF-16 unit, Iceberg by UTF-8 byte; they agree below U+D800 only. A loop,
 * not a regex: this runs up to four times per file and condition, on short strings.
 */
function orderSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false
  return true
}

/** False only when no value in [min, max] can satisfy `f`; unknown bounds or types always may match. */
function mayMatch(f: Exclude<FilterNode, { kind: 'null' }>, min: unknown, max: unknown): boolean {
  if (f.kind === 'in') {
    if (f.negated) return !(min !== undefined && min === max && f.values.length > 0 && f.values.some((v) => v === min))
    for (const v of f.values) if (atLeastMin(min, v) && atMostMax(max, v)) return true
    return false
  }
  const v = f.value
  switch (f.op) {
    case '=':
      return atLeastMin(min, v) && atMostMax(max, v)
    case '!=':
      return !(min !== undefined && min === max && min === v)
    case '<':
      return !comparable(min, v) || (min as Scalar) < v
    case '<=':
      return atLeastMin(min, v)
    case '>':
      return !comparable(max, v) || (max as Scalar) > v
    case '>=':
      return atMostMax(max, v)
    default:
      return true
  }
}

/** `min <= v`, or unknown (true) when they cannot be compared. */
function atLeastMin(min: unknown, v: Scalar): boolean {
  return !comparable(min, v) || (min as Scalar) <= v
}

/** `v <= max`, or unknown (true) when they cannot be compared. */
function atMostMax(max: unknown, v: Scalar): boolean {
  return !comparable(max, v) || v <= (max as Scalar)
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
