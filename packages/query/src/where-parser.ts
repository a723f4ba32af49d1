import type { Scalar } from '@k2/core'
import { K2Error, showValue, type TableName } from '@k2/core'
import { COMPARE_OPS, type CompareOp, compareNode, type FilterNode, inNode, nullNode } from './filter-node.js'
import { type ColumnName, columnSpec } from './schema.js'
import { columnValue, type ValueInput } from './value.js'

/** Operators on one column, all optional and ANDed: `{ gte: from, lt: to }`. */
export interface ConditionOps<V> {
  eq?: V
  ne?: V
  gt?: V
  gte?: V
  lt?: V
  lte?: V
  in?: readonly V[]
  notIn?: readonly V[]
  /** true: `IS NULL`; false: `IS NOT NULL`. */
  isNull?: boolean
}

/** A condition on one column: a value (`=`), a list (`IN`), `null` (`IS NULL`), or operators. */
export type Condition<V> = V | readonly V[] | null | ConditionOps<V>

/** `where({ … })`: conditions by column, ANDed. Keys must be columns of the table. */
export type WhereInput<T extends TableName> = { [C in ColumnName<T>]?: Condition<ValueInput<T, C>> }

/** Operators of the three-argument form `where(column, op, value)`. */
export type WhereOp = CompareOp | 'in' | 'not in' | 'is null' | 'is not null'

/** Most values one IN list may hold (DuckDB plans every element). */
export const MAX_IN_LIST = 10_000

const OPS: Record<string, CompareOp> = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Parses `where({ … })` into filter nodes, checking every column, operator and value. */
export function parseWhereObject(table: TableName, input: unknown): FilterNode[] {
  if (!isPlainObject(input)) throw new K2Error('VALIDATION', `where() takes an object of conditions by column, got ${showValue(input)}`)
  const filters: FilterNode[] = []
  for (const key of Reflect.ownKeys(input)) {
    if (typeof key !== 'string') throw new K2Error('VALIDATION', 'where() keys must be column names, got a symbol')
    const column = columnSpec(table, key).name
    const cond = input[key]
    if (cond === undefined) continue
    if (cond === null) filters.push(nullNode(column, false))
    else if (Array.isArray(cond)) filters.push(parseWhere(table, column, 'in', cond))
    else if (isPlainObject(cond)) {
      for (const op of Reflect.ownKeys(cond)) {
        const v = cond[op as string]
        if (op === 'isNull') {
          if (typeof v !== 'boolean')
            throw new K2Error('VALIDATION', `isNull on ${table}.${column} must be true or false, got ${showValue(v)}`)
          filters.push(nullNode(column, !v))
        } else if (op === 'in' || op === 'notIn') filters.push(parseWhere(table, column, op === 'in' ? 'in' : 'not in', v))
        else if (typeof op === 'string' && Object.hasOwn(OPS, op)) filters.push(parseWhere(table, column, OPS[op] as CompareOp, v))
        else {
          throw new K2Error(
            'VALIDATION',
            `unknown operator ${showValue(String(op))} on ${table}.${column}: use eq, ne, gt, gte, lt, lte, in, notIn or isNull`,
          )
        }
      }
    } else filters.push(parseWhere(table, column, '=', cond))
  }
  return filters
}

/** Parses `where(column, op, value)`. */
export function parseWhere(table: TableName, column: unknown, op: unknown, value?: unknown): FilterNode {
  const spec = columnSpec(table, column)
  if (op === 'is null' || op === 'is not null') return nullNode(spec.name, op === 'is not null')
  if (op === 'in' || op === 'not in') {
    if (!Array.isArray(value))
      throw new K2Error('VALIDATION', `${op} on ${table}.${spec.name} takes an array of values, got ${showValue(value)}`)
    if (value.length > MAX_IN_LIST) {
      throw new K2Error(
        'VALIDATION',
        `${op} list on ${table}.${spec.name} has ${value.length} values; at most ${MAX_IN_LIST} (split the query)`,
      )
    }
    const values: Scalar[] = value.map((v) => columnValue(table, spec, v))
    return inNode(spec.name, [...new Set(values)], op === 'not in')
  }
  if (typeof op !== 'string' || !(COMPARE_OPS as readonly string[]).includes(op)) {
    throw new K2Error(
      'VALIDATION',
      `unknown operator ${showValue(op)}: use one of ${COMPARE_OPS.join(' ')}, in, not in, is null, is not null`,
    )
  }
  if (value === null || value === undefined) {
    throw new K2Error('VALIDATION', `${table}.${spec.name} ${op} needs a value; to test for null use 'is null' or 'is not null'`)
  }
  return compareNode(spec.name, op as CompareOp, columnValue(table, spec, value))
}
