import { isTableName, K2Error, showValue, type TableName } from '@k2/core'
import { sha256 } from '@noble/hashes/sha2'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils'
import type { Param } from './compiled-query.js'

/** The snapshot of one table a result was read from; null when the table had no snapshot (empty). */
export interface LineageTable {
  readonly table: TableName
  /** The Iceberg snapshot id as a decimal string (ids are 64-bit and do not fit a JS number). */
  readonly snapshotId: string | null
}

/**
 * Where a result came from: the snapshot of every table it read, and a SHA-256 fingerprint of the
 * exact `{ sql, params }` run (file lists included). Plain JSON, so a notebook or backtest can store
 * it and later run `query(…).asOf(lineage)` to read the very same snapshots.
 */
export interface Lineage {
  readonly tables: readonly LineageTable[]
  readonly fingerprint: string
}

/** SHA-256 (hex) of the canonical JSON of `{ sql, params }`, bigints as `"123n"` strings. */
export function fingerprintSync(sql: string, params: readonly Param[]): string {
  // A replacer takes JSON.stringify off its fast path: only pass one when there is a bigint to spell.
  const replacer = params.some(hasBigint) ? bigintAsString : undefined
  // Synchronous and the same in Node, Deno and browsers (Web Crypto's digest is async and slower here).
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify({ sql, params }, replacer))))
}

function hasBigint(p: unknown): boolean {
  return typeof p === 'bigint' || (Array.isArray(p) && p.some((x) => typeof x === 'bigint'))
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value
}

/** {@link fingerprintSync} as a promise (the public API predates the synchronous hash). */
export async function fingerprint(sql: string, params: readonly Param[]): Promise<string> {
  return fingerprintSync(sql, params)
}

const SNAPSHOT_ID_RE = /^-?\d{1,20}$/

/** True for a value of the {@link Lineage} shape (from a result, or parsed back from JSON). */
export function isLineage(value: unknown): value is Lineage {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { tables?: unknown; fingerprint?: unknown }
  return Array.isArray(v.tables) && typeof v.fingerprint === 'string'
}

/** The snapshot `lineage` recorded for `table`: a bigint id, `'none'` (it was empty), or a VALIDATION error. */
export function snapshotInLineage(lineage: Lineage, table: TableName): bigint | 'none' {
  const entry = lineage.tables.find((t) => isTableName(t?.table) && t.table === table)
  if (!entry) {
    throw new K2Error(
      'VALIDATION',
      `this lineage does not record ${table}: it read ${lineage.tables.map((t) => t.table).join(', ') || 'no table'}`,
    )
  }
  if (entry.snapshotId === null) return 'none'
  if (typeof entry.snapshotId !== 'string' || !SNAPSHOT_ID_RE.test(entry.snapshotId)) {
    throw new K2Error('VALIDATION', `lineage snapshot id for ${table} must be a decimal string, got ${showValue(entry.snapshotId)}`)
  }
  return BigInt(entry.snapshotId)
}

// A property under a registered symbol, not a module-local WeakMap: a notebook may load two copies
// of @k2/query, and each must read the lineage the other attached (as K2Error.isInstance does).
const LINEAGE = Symbol.for('k2.lineage')

/** Attaches lineage to a result object (rows array or Arrow table), as a non-enumerable property. */
export function attachLineage<T extends object>(result: T, lineage: Lineage): T {
  Object.defineProperty(result, LINEAGE, { value: lineage, enumerable: false, configurable: true })
  return result
}

/**
 * The lineage of a result of `rows()` or `arrow()` (also in an Arrow table's schema metadata under
 * `k2.lineage`). Undefined for anything else.
 */
export function lineageOf(result: object): Lineage | undefined {
  const found = (result as { [LINEAGE]?: unknown } | null)?.[LINEAGE]
  return isLineage(found) ? found : undefined
}
