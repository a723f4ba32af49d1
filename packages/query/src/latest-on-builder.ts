import { K2Error, showValue } from '@k2/core'
import { columnSpec, timeColumnOf } from './schema.js'
import type { LatestOnNode, SelectQueryNode } from './select-query-node.js'

/** Checks `latestOn()`'s options into its node (columns from the table's schema only). */
export function buildLatestOn(node: SelectQueryNode, options: unknown): LatestOnNode {
  if (node.selections.some((s) => s.kind !== 'column'))
    throw new K2Error('VALIDATION', 'latestOn() cannot be combined with aggregates or buckets: it picks rows, not groups')
  if (node.latest) throw new K2Error('VALIDATION', 'latestOn() is already set on this query')
  const o = (options ?? {}) as { partitionBy?: unknown; on?: unknown }
  if (!Array.isArray(o.partitionBy) || o.partitionBy.length === 0)
    throw new K2Error('VALIDATION', "latestOn() needs partitionBy: the key columns, e.g. ['exchange', 'symbol']")
  const partitionBy = o.partitionBy.map((c) => columnSpec(node.table, c).name)
  const time = columnSpec(node.table, o.on ?? timeColumnOf(node.table))
  if (time.type !== 'timestamptz') throw new K2Error('VALIDATION', `latestOn() on needs a timestamptz column, got ${showValue(o.on)}`)
  return Object.freeze({ partitionBy: Object.freeze(partitionBy), time: time.name })
}
