import type { AsOf, TableName } from '@k2/core'
import type { FilterNode } from './filter-node.js'
import type { SelectionNode } from './selection-node.js'

export interface OrderNode {
  /** A selection alias or a table column. */
  readonly key: string
  readonly direction: 'asc' | 'desc'
}

/**
 * An as-of join: for each left row, the latest right row with equal `using` columns whose time is
 * at or before the left row's time (DuckDB `ASOF LEFT JOIN`); no match gives nulls.
 */
export interface AsofJoinNode {
  readonly right: SelectQueryNode
  readonly using: readonly string[]
  readonly leftTime: string
  readonly rightTime: string
  /** Right columns to output, by alias. */
  readonly columns: readonly { readonly column: string; readonly alias: string }[]
  /** A match older than this many µs counts as none (QuestDB's `TOLERANCE`); null: any age. */
  readonly toleranceMicros: number | null
}

/**
 * `latestOn`: only the last row per `partitionBy` key by `time` (QuestDB's `LATEST ON … PARTITION
 * BY`), after the filters (`at` becomes a `time <= at` filter). Rows tied at the latest time are
 * told apart by the table's columns in schema order, greatest first, so the pick is deterministic.
 */
export interface LatestOnNode {
  readonly partitionBy: readonly string[]
  readonly time: string
}

/** The whole state of a typed query; immutable, every builder call returns a new one. */
export interface SelectQueryNode {
  readonly kind: 'select'
  readonly table: TableName
  /** null: the current snapshot; 'none': the table had no snapshot (as a lineage recorded it). */
  readonly asOf: Readonly<AsOf> | 'none' | null
  readonly filters: readonly FilterNode[]
  /** Empty means every column of the table. */
  readonly selections: readonly SelectionNode[]
  readonly orderBy: readonly OrderNode[]
  readonly limit: number | null
  readonly offset: number | null
  readonly join: AsofJoinNode | null
  readonly latest: LatestOnNode | null
}

export function createSelectQueryNode(table: TableName): SelectQueryNode {
  return Object.freeze({
    kind: 'select',
    table,
    asOf: null,
    filters: Object.freeze([]),
    selections: Object.freeze([]),
    orderBy: Object.freeze([]),
    limit: null,
    offset: null,
    join: null,
    latest: null,
  })
}

/** A copy of `node` with `patch` applied, frozen (arrays in the patch are frozen too). */
export function cloneWith(node: SelectQueryNode, patch: Partial<SelectQueryNode>): SelectQueryNode {
  const next: Record<string, unknown> = { ...node, ...patch }
  // The node's own arrays are frozen copies already: only the patch's need copying.
  for (const [k, v] of Object.entries(patch)) if (Array.isArray(v)) next[k] = Object.freeze([...v])
  return Object.freeze(next) as unknown as SelectQueryNode
}

/** True when the query has an aggregate, i.e. its non-aggregate outputs are group keys. */
export function isAggregate(node: SelectQueryNode): boolean {
  return node.selections.some((s) => s.kind === 'aggregate')
}
