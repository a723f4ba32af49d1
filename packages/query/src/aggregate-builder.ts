import { K2Error, type TableName, type Tables } from '@k2/core'
import { type ColumnName, columnSpec, type NumericColumn, type OrderedColumn, type TimeColumn, timeColumnOf } from './schema.js'
import type { AggregateFn } from './selection-node.js'

/** An aggregate expression; `R` is the type of its result. Made only by {@link AggregateFunctions}. */
export interface AggregateExpr<R> {
  readonly fn: AggregateFn
  readonly column: string | null
  readonly by: string | null
  /** Phantom: the result type. */
  readonly __result?: R
}

/** The aggregate functions over the columns of table `T`, handed to `.aggregate((f) => …)`. */
export interface AggregateFunctions<T extends TableName> {
  /** `count(*)`, or `count(column)` (non-null values). */
  count(column?: ColumnName<T>): AggregateExpr<number>
  /** `count(DISTINCT column)`. */
  countDistinct(column: ColumnName<T>): AggregateExpr<number>
  sum(column: NumericColumn<T>): AggregateExpr<number | null>
  avg(column: NumericColumn<T>): AggregateExpr<number | null>
  min<C extends OrderedColumn<T>>(column: C): AggregateExpr<Tables[T][C] | null>
  max<C extends OrderedColumn<T>>(column: C): AggregateExpr<Tables[T][C] | null>
  /** The value at the earliest `by` (default: the table's time column): `arg_min(column, by)`. */
  first<C extends ColumnName<T>>(column: C, by?: TimeColumn<T>): AggregateExpr<Tables[T][C] | null>
  /** The value at the latest `by` (default: the table's time column): `arg_max(column, by)`. */
  last<C extends ColumnName<T>>(column: C, by?: TimeColumn<T>): AggregateExpr<Tables[T][C] | null>
}

const NUMERIC = new Set(['double', 'long', 'int'])

/** The checked aggregate functions for `table`; each call validates its column for JavaScript callers. */
export function aggregateFunctions<T extends TableName>(table: T): AggregateFunctions<T> {
  const expr = (fn: AggregateFn, column: string | null, by: string | null) => Object.freeze({ fn, column, by })
  const numeric = (fn: AggregateFn, column: unknown) => {
    const spec = columnSpec(table, column)
    if (!NUMERIC.has(spec.type)) {
      throw new K2Error('VALIDATION', `${fn}(${spec.name}) needs a numeric column; ${table}.${spec.name} is ${spec.type}`)
    }
    return expr(fn, spec.name, null)
  }
  const ordered = (fn: AggregateFn, column: unknown) => {
    const spec = columnSpec(table, column)
    if (spec.type === 'boolean')
      throw new K2Error('VALIDATION', `${fn}(${spec.name}) needs an ordered column; ${table}.${spec.name} is boolean`)
    return expr(fn, spec.name, null)
  }
  const byTime = (fn: AggregateFn, column: unknown, by: unknown) => {
    const spec = columnSpec(table, column)
    const time = by === undefined ? timeColumnOf(table) : columnSpec(table, by).name
    if (time === undefined || columnSpec(table, time).type !== 'timestamptz') {
      throw new K2Error('VALIDATION', `${fn}(${spec.name}) needs a timestamptz column to order by; ${table} has none by that name`)
    }
    return expr(fn, spec.name, time)
  }
  return Object.freeze({
    count: (column?: ColumnName<T>) => expr('count', column === undefined ? null : columnSpec(table, column).name, null),
    countDistinct: (column: ColumnName<T>) => expr('count_distinct', columnSpec(table, column).name, null),
    sum: (column: NumericColumn<T>) => numeric('sum', column),
    avg: (column: NumericColumn<T>) => numeric('avg', column),
    min: (column: OrderedColumn<T>) => ordered('min', column),
    max: (column: OrderedColumn<T>) => ordered('max', column),
    first: (column: ColumnName<T>, by?: TimeColumn<T>) => byTime('first', column, by),
    last: (column: ColumnName<T>, by?: TimeColumn<T>) => byTime('last', column, by),
  }) as AggregateFunctions<T>
}
