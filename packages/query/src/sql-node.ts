import type { AsOf, TableName } from '@k2/core'
import type { Param } from './compiled-query.js'

/** A table spliced into a `sql` template: made only by `layer.ref()`, resolved to a snapshot's files. */
export interface TableRef {
  readonly kind: 'ref'
  readonly table: TableName
  readonly asOf: Readonly<AsOf> | 'none' | null
}

/** A point in time bound as TIMESTAMPTZ (epoch µs), made by `layer.time()` or from a Date. */
export interface TimeParam {
  readonly kind: 'time'
  readonly micros: number
}

/** One interpolation of a `sql` template, checked: a bound value, a time, or a table reference. */
export type RawPart = { readonly kind: 'value'; readonly value: Param } | TimeParam | TableRef

/** A `sql` template: its literal strings (from the source code) and its checked interpolations. */
export interface RawSqlNode {
  readonly kind: 'raw'
  readonly strings: readonly string[]
  readonly parts: readonly RawPart[]
}
