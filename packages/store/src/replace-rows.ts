import { unlink } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error, type Scalar } from '@k2/core'
import { commitSnapshot } from './iceberg/commit.js'
import { fromUri } from './iceberg/file-uri.js'
import type { DataFileRecord } from './iceberg/manifest-schemas.js'
import type { LiveFile } from './iceberg/manifests.js'
import { compareStrings, decodeValue } from './iceberg/single-value.js'
import type { TableSpec } from './iceberg/table-spec.js'
import type { TableCore } from './table-core.js'
import { writeDataFiles } from './write/parquet-files.js'
import { stageFromFiles } from './write/rows-in-duckdb.js'
import { stageBatch } from './write/stage-batch.js'
import { decodeExpr, release, type Staged, stagedSource } from './write/staged-rows.js'

/**
 * Replace rows by key in one `overwrite` commit: live rows whose key equals a new row's key are
 * removed (their files rewritten without them, as retention does; files without such rows are
 * untouched) and the new rows added. The roll-up into gold.ohlcv is built on it: recomputed
 * candles replace exactly the old ones, and the snapshot summary records what was processed.
 */

export interface ReplaceOptions {
  /** Columns whose tuple identifies a row, e.g. `['exchange', 'symbol', 'timeframe', 'start', 'source']`. */
  key: readonly string[]
  /** Extra snapshot-summary entries (e.g. `k2.rollup.silver-snapshot-id`), read back by `history()`. */
  summary?: Readonly<Record<string, string>>
}

export interface ReplaceResult {
  /** The new snapshot, or null when there was nothing to add or remove. */
  snapshotId: bigint | null
  /** Rows added. */
  rows: number
  /** Live rows removed because a new row has their key. */
  replacedRows: number
  /** Data files rewritten without the replaced rows (or dropped, when nothing else was in them). */
  rewrittenFiles: number
}

// Keys Iceberg (and K2's commits) put in every summary: a caller must not shadow them.
const SUMMARY_KEY = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/
const RESERVED = /^(operation|added-|deleted-|removed-|total-|changed-)/

function checkOptions(spec: TableSpec, opts: ReplaceOptions): void {
  const key = (opts as Partial<ReplaceOptions> | undefined)?.key
  const names = new Set(spec.columns.map((c) => c.name))
  if (
    !Array.isArray(key) ||
    key.length === 0 ||
    !key.every((k) => typeof k === 'string' && names.has(k)) ||
    new Set(key).size !== key.length
  ) {
    throw new K2Error(
      'VALIDATION',
      `replaceRows on ${spec.name} needs { key: [...] } naming distinct columns of the table (${[...names].join(', ')}), got ${JSON.stringify(key)}`,
    )
  }
  for (const [k, v] of Object.entries(opts.summary ?? {})) {
    if (!SUMMARY_KEY.test(k) || RESERVED.test(k) || typeof v !== 'string' || v.length > 4096) {
      throw new K2Error(
        'VALIDATION',
        `summary entry ${JSON.stringify(k)}: keys are letters, digits, '.', '_' or '-' and must not shadow Iceberg's own (operation, added-…, total-…); values are strings up to 4096 characters. Prefix your keys, e.g. "k2.rollup.…"`,
      )
    }
  }
}

/** Per partition of the new rows: the tuple and each key column's [min, max], to skip files that cannot match. */
interface KeyRange {
  partition: Record<string, Scalar | null>
  bounds: Map<string, [Scalar, Scalar]>
}

let seq = 0

export async function replaceRows(table: TableCore, input: readonly unknown[], opts: ReplaceOptions): Promise<ReplaceResult> {
  const spec = table.spec
  checkOptions(spec, opts)
  const batch = table.newBatch(input.length)
  table.addTo(batch, input) // VALIDATION here, before anything is written
  if (batch.length === 0) return { snapshotId: null, rows: 0, replacedRows: 0, rewrittenFiles: 0 }
  await table.ensure()
  const staged = stageBatch(spec, batch)
  const written: DataFileRecord[] = []
  try {
    return await table.duckdb.with((conn) => commitReplace(table, conn, staged, opts, written))
  } catch (err) {
    for (const f of written) await unlink(fromUri(f.file_path)).catch(() => {})
    throw err
  } finally {
    release(staged)
  }
}

async function commitReplace(
  table: TableCore,
  conn: DuckDBConnection,
  staged: Staged,
  opts: ReplaceOptions,
  written: DataFileRecord[],
): Promise<ReplaceResult> {
  const spec = table.spec
  const keys = `k2_replace_keys_${++seq}`
  const cols = opts.key.map((k) => staged.columns.find((c) => c.name === k) as Staged['columns'][number])
  await conn.run(
    `CREATE TEMP TABLE ${keys} AS SELECT DISTINCT __p, ${cols.map((c, i) => `${decodeExpr(c)} AS k${i}`).join(', ')} FROM ${stagedSource(staged, null)}`,
  )
  const distinct = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${keys}`)).getRows()[0]?.[0] ?? 0)
  if (distinct !== staged.rows) {
    throw new K2Error(
      'VALIDATION',
      `replaceRows on ${spec.name}: ${staged.rows - distinct} new rows repeat the key (${opts.key.join(', ')}) of another new row; pass each key once (nothing was written)`,
    )
  }
  const ranges = await keyRanges(conn, spec, staged, keys, opts.key)
  const added = await writeDataFiles(conn, spec, staged, table.dir)
  written.push(...added)
  // Rewrites per source file, kept across retries: a file still live after a lost race is not redone.
  const rewrites = new Map<string, { add: DataFileRecord[]; replaced: number }>()
  const matchSql = `EXISTS (SELECT 1 FROM ${keys} WHERE ${opts.key.map((k, i) => `k${i} IS NOT DISTINCT FROM "${k}"`).join(' AND ')})`
  let used: string[] = []
  const result = await commitSnapshot(table, async (base, live) => {
    const id = base.metadata['current-snapshot-id']
    const ctx = { table: spec.name, snapshotId: Number(id) === -1 ? null : id }
    for (const l of live) {
      if (rewrites.has(l.file.file_path) || !mayHoldKey(spec, l, ranges, opts.key)) continue
      rewrites.set(l.file.file_path, await rewriteWithout(conn, table, l, ctx, matchSql, written))
    }
    const liveNow = new Set(live.map((l) => l.file.file_path))
    used = [...rewrites.keys()].filter((p) => liveNow.has(p) && (rewrites.get(p)?.replaced ?? 0) > 0)
    return {
      operation: 'overwrite',
      add: [...added, ...used.flatMap((p) => rewrites.get(p)?.add ?? [])],
      remove: new Set(used),
      summary: opts.summary ?? {},
    }
  })
  // Rewrites of files another commit removed meanwhile were never committed: delete them.
  for (const [p, r] of rewrites) if (!used.includes(p)) for (const f of r.add) await unlink(fromUri(f.file_path)).catch(() => {})
  return {
    snapshotId: result.snapshot ? BigInt(result.snapshot['snapshot-id']) : null,
    rows: staged.rows,
    replacedRows: used.reduce((n, p) => n + (rewrites.get(p)?.replaced ?? 0), 0),
    rewrittenFiles: used.length,
  }
}

/** The partition tuple and key-column bounds of each partition of the new rows. */
async function keyRanges(
  conn: DuckDBConnection,
  spec: TableSpec,
  staged: Staged,
  keys: string,
  key: readonly string[],
): Promise<KeyRange[]> {
  const aggs = key.map((k, i) => {
    const ts = spec.columns.find((c) => c.name === k)?.type === 'timestamptz'
    return ts ? `epoch_us(min(k${i})) AS lo${i}, epoch_us(max(k${i})) AS hi${i}` : `min(k${i}) AS lo${i}, max(k${i}) AS hi${i}`
  })
  const r = await conn.runAndReadAll(`SELECT __p, ${aggs.join(', ')} FROM ${keys} GROUP BY __p`)
  const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v) as Scalar
  return r.getRowObjectsJS().map((row) => ({
    partition: staged.partitions[Number(row.__p)] ?? {},
    bounds: new Map(
      key.flatMap((k, i): [string, [Scalar, Scalar]][] =>
        row[`lo${i}`] === null || row[`lo${i}`] === undefined ? [] : [[k, [num(row[`lo${i}`]), num(row[`hi${i}`])]]],
      ),
    ),
  }))
}

const compare = (a: Scalar, b: Scalar) => (typeof a === 'string' && typeof b === 'string' ? compareStrings(a, b) : Number(a) - Number(b))

/** False when the file's partition or column bounds show it holds no row with a new key. */
function mayHoldKey(spec: TableSpec, l: LiveFile, ranges: readonly KeyRange[], key: readonly string[]): boolean {
  // Partition fields derived from key columns: a file of another partition holds none of the keys.
  const keyed = spec.partition.filter((p) => key.includes(p.sourceColumn))
  const bound = (list: DataFileRecord['lower_bounds'], id: number) => list?.find((b) => b.key === id)?.value
  return ranges.some((r) => {
    if (keyed.some((p) => String(l.file.partition[p.name]) !== String(r.partition[p.name]))) return false
    for (const [name, [lo, hi]] of r.bounds) {
      const c = spec.columns.find((x) => x.name === name)
      if (!c || c.type === 'boolean') continue
      const fLo = bound(l.file.lower_bounds, c.id)
      const fHi = bound(l.file.upper_bounds, c.id)
      if (fLo && compare(decodeValue(c.type, fLo), hi) > 0) return false
      if (fHi && compare(decodeValue(c.type, fHi), lo) < 0) return false
    }
    return true
  })
}

/** Writes `l`'s rows without those matching a new key; nothing is written when none match. */
async function rewriteWithout(
  conn: DuckDBConnection,
  table: TableCore,
  l: LiveFile,
  ctx: { table: TableSpec['name']; snapshotId: bigint | number | null },
  matchSql: string,
  written: DataFileRecord[],
): Promise<{ add: DataFileRecord[]; replaced: number }> {
  const kept = await stageFromFiles(conn, table.spec, [l], ctx, `NOT ${matchSql}`)
  const replaced = l.file.record_count - kept.rows
  if (replaced === 0) return { add: [], replaced: 0 }
  const add = kept.rows > 0 ? await writeDataFiles(conn, table.spec, kept, table.dir) : []
  written.push(...add)
  return { add, replaced }
}
