import type { AsOf } from '@k2/core'
import { K2Error, showValue, type TableName, toMicros } from '@k2/core'
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

/** What `asOf()` was given, as the node stores it. */
export function parseAsOf(table: TableName, input: unknown): SelectQueryNode['asOf'] {
  if (typeof input === 'bigint') return Object.freeze({ snapshotId: input })
  if (isLineage(input)) {
    const id = snapshotInLineage(input, table)
    return id === 'none' ? 'none' : Object.freeze({ snapshotId: id })
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Date)) {
    const { snapshotId, timestamp } = input as AsOf
    if (snapshotId !== undefined && typeof snapshotId !== 'bigint')
      throw new K2Error('VALIDATION', `asOf snapshotId must be a bigint, got ${showValue(snapshotId)}`)
    if (snapshotId !== undefined) return Object.freeze({ snapshotId })
    if (timestamp !== undefined) return Object.freeze({ timestamp: toMicros(timestamp) })
    throw new K2Error('VALIDATION', 'asOf takes a snapshot id (bigint), a time, { snapshotId } or { timestamp }, or a lineage')
  }
  if (typeof input === 'string' || typeof input === 'number' || input instanceof Date) return Object.freeze({ timestamp: toMicros(input) })
  throw new K2Error(
    'VALIDATION',
    `asOf takes a snapshot id (bigint), a Date, an ISO string, epoch µs or a lineage; got ${showValue(input)}`,
  )
}
