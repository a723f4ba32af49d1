import { type ColumnSpec, type ColumnType, K2Error, showValue, type TableName, type Tables, type TimeInput, toMicros } from '@k2/core'
import type { ColumnName, ColumnTypeOf } from './schema.js'

/** A bound parameter as the compiler emits it: the value and the SQL type it is cast to. */
export type ParamValue = string | number | boolean | readonly string[]

/** What a caller may pass for a column: its row type, except that time columns also take a Date or an ISO string. */
export type ValueInput<T extends TableName, C extends ColumnName<T>> =
  ColumnTypeOf<T, C> extends 'timestamptz' ? TimeInput : NonNullable<Tables[T][C]>

/** Longest string accepted as a value: far above any symbol or id, far below what would bloat a plan. */
export const MAX_STRING_VALUE = 65_536

const INT32 = 2 ** 31

/**
 * Checks a value against a column's type and returns what is bound: strings as they are, numbers
 * only when finite (and integral for long/int), times as exact epoch µs. Anything else is a
 * `K2Error('VALIDATION')` that names the column and what it expects.
 */
export function columnValue(table: TableName, spec: ColumnSpec, value: unknown): string | number | boolean {
  const bad = (expected: string) =>
    new K2Error('VALIDATION', `invalid value ${showValue(value)} for ${table}.${spec.name}: expected ${expected}`, {
      details: { table, column: spec.name, value: showValue(value) },
    })
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') throw bad('a string')
      if (value.length > MAX_STRING_VALUE) throw bad(`a string of at most ${MAX_STRING_VALUE} characters`)
      return value
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a finite number')
      return value
    case 'long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad('an integer within ±2^53')
      return value
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -INT32 || value >= INT32) throw bad('a 32-bit integer')
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('true or false')
      return value
    case 'timestamptz':
      if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
        throw bad('a Date, an ISO-8601 string or epoch µs')
      }
      try {
        return toMicros(value)
      } catch (cause) {
        throw new K2Error('VALIDATION', `invalid time ${showValue(value)} for ${table}.${spec.name}: ${(cause as Error).message}`, {
          cause,
        })
      }
    default:
      return unreachable(spec.type)
  }
}

/** The SQL for a bound value of a column type; times are µs and become TIMESTAMPTZ in UTC. */
export function castPlaceholder(type: ColumnType, placeholder: string): string {
  switch (type) {
    case 'string':
      return `${placeholder}::VARCHAR`
    case 'double':
      return `${placeholder}::DOUBLE`
    case 'long':
      return `${placeholder}::BIGINT`
    case 'int':
      return `${placeholder}::INTEGER`
    case 'boolean':
      return `${placeholder}::BOOLEAN`
    case 'timestamptz':
      return `make_timestamp(${placeholder}::BIGINT)::TIMESTAMPTZ`
    default:
      return unreachable(type)
  }
}

/** The DuckDB type of a column, for typed empty relations. */
export function duckType(type: ColumnType): string {
  const map: Record<ColumnType, string> = {
    string: 'VARCHAR',
    double: 'DOUBLE',
    long: 'BIGINT',
    int: 'INTEGER',
    boolean: 'BOOLEAN',
    timestamptz: 'TIMESTAMPTZ',
  }
  return map[type]
}

export function unreachable(value: never): never {
  throw new K2Error('INTERNAL', `unexpected ${String(value)}`)
}
