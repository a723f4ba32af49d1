import { K2Error, showValue, type TableName, toAsOf } from '@k2/core'
import { isSafeIdentifier } from './compiled-query.js'
import { isLineage, snapshotInLineage } from './lineage.js'

import type { SelectQueryNode } from './select-query-node.js'

/** An output alias, checked: letters, digits and `_`, so it can only ever be a quoted identifier. */
export function checkAlias(alias: unknown): string {
  if (isSafeIdentifier(alias)) return alias
  throw new K2Error(
    'VALIDATION',
    `invalid output alias ${showValue(String(alias))}: use letters, digits and _ (not first), at most 63 characters`,
  )
}

/** What `asOf()` was given, as the node stores it: a lineage's snapshot of this table, or `toAsOf` of the rest. */
export function parseAsOf(table: TableName, input: unknown): SelectQueryNode['asOf'] {
  if (isLineage(input)) {
    const id = snapshotInLineage(input, table)
    return id === 'none' ? 'none' : Object.freeze({ snapshot: id })
  }
  return toAsOf(input)
}
