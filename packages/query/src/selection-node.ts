/** Aggregate functions; `first`/`last` take the value at the earliest/latest time (`arg_min`/`arg_max`). */
export const AGGREGATE_FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'first', 'last'] as const
export type AggregateFn = (typeof AGGREGATE_FNS)[number]

/** One output column: a table column, an aggregate, or a time bucket (epoch µs of the bucket start). */
export type SelectionNode =
  | { readonly kind: 'column'; readonly column: string; readonly alias: string }
  | {
      readonly kind: 'aggregate'
      readonly fn: AggregateFn
      /** null for count(*). */
      readonly column: string | null
      /** The time column `first`/`last` order by. */
      readonly by: string | null
      readonly alias: string
    }
  | { readonly kind: 'bucket'; readonly column: string; readonly micros: number; readonly alias: string }

export function columnSelection(column: string, alias = column): SelectionNode {
  return Object.freeze({ kind: 'column', column, alias })
}

export function aggregateSelection(fn: AggregateFn, column: string | null, by: string | null, alias: string): SelectionNode {
  return Object.freeze({ kind: 'aggregate', fn, column, by, alias })
}

export function bucketSelection(column: string, micros: number, alias: string): SelectionNode {
  return Object.freeze({ kind: 'bucket', column, micros, alias })
}
