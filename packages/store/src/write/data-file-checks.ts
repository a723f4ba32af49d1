import { open, rename, stat } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { K2Error } from '@k2/core'
import { checksumTag, namedChecksum } from '../iceberg/checksum-names.js'
import { sqlString } from './sql-literal.js'

/**
 * Data files are checked before K2 or the query layer reads them, because DuckDB neither writes
 * nor verifies Parquet page checksums: a damaged page mostly decodes into wrong values without an
 * error. K2 names each file it writes after the CRC-32 of its bytes (`<uuid>-c<crc>.parquet`; the
 * name travels in every manifest, copy and rewrite, and other engines ignore it), and a file is
 * checked against it and against the size its manifest records — once per process while the file
 * is unchanged. Files K2 did not write get the size check.
 */

/** Where a file is read from: the table and snapshot named in errors. */
export interface FileContext {
  table: string
  snapshotId: bigint | number | string | null
}

const verified = new Set<string>()
const VERIFIED_MAX = 100_000

async function crcOf(path: string): Promise<number> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    let crc = 0
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null)
      if (bytesRead === 0) return crc
      crc = crc32(buf.subarray(0, bytesRead), crc)
    }
  } finally {
    await fh.close()
  }
}

const keyOf = (path: string, st: { size: number; mtimeMs: number; ino: number }) => `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`

function remember(key: string): void {
  if (verified.size >= VERIFIED_MAX) verified.clear()
  verified.add(key)
}

/** Renames a freshly written data file after its checksum; returns the new path (known good). */
export async function nameByChecksum(path: string): Promise<string> {
  const crc = await crcOf(path)
  const named = path.replace(/\.parquet$/, `${checksumTag(crc)}.parquet`)
  await rename(path, named)
  remember(keyOf(named, await stat(named)))
  return named
}

function damaged(path: string, ctx: FileContext, why: string, cause?: unknown): K2Error {
  const snapshot = ctx.snapshotId === null ? '' : ` (snapshot ${String(ctx.snapshotId)})`
  return new K2Error(
    'CORRUPT_TABLE',
    `data file ${path} of ${ctx.table}${snapshot} ${why}: restore it from a backup; snapshots without it can still be read with asOf (see history())`,
    { cause, details: { table: ctx.table, snapshotId: ctx.snapshotId === null ? null : String(ctx.snapshotId), file: path } },
  )
}

/** Checks one data file: there, of the size its manifest records, and matching its checksum. */
export async function checkDataFile(path: string, size: number, ctx: FileContext): Promise<void> {
  let st: Awaited<ReturnType<typeof stat>>
  try {
    st = await stat(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM')
      throw new K2Error('IO', `cannot read data file ${path} of ${ctx.table} (${code}): check its permissions`, { cause: err })
    throw damaged(path, ctx, code === 'ENOENT' ? 'is missing' : `cannot be opened (${code})`, err)
  }
  const key = keyOf(path, st)
  if (verified.has(key)) return
  if (!st.isFile()) throw damaged(path, ctx, 'is not a file')
  if (st.size !== size) throw damaged(path, ctx, `is ${st.size} bytes where its manifest records ${size} (truncated or replaced)`)
  const expected = namedChecksum(path)
  if (expected !== null) {
    const crc = await crcOf(path).catch((err: unknown) => {
      throw damaged(path, ctx, `cannot be read (${(err as Error).message})`, err)
    })
    if (crc !== expected) throw damaged(path, ctx, 'does not match the checksum it was written with (damaged on disk)')
  }
  remember(key)
}

/** Checks data files before they are read (see checkDataFile). */
export async function checkDataFiles(files: readonly { path: string; size: number }[], ctx: FileContext): Promise<void> {
  for (const f of files) await checkDataFile(f.path, f.size, ctx)
}

/**
 * A DuckDB error reading data files as CORRUPT_TABLE naming the file: the one the message names,
 * else the first that fails when read alone with every column decoded (`probe`).
 */
export async function readFailure(
  err: unknown,
  paths: readonly string[],
  ctx: FileContext,
  probe: (path: string) => Promise<unknown>,
): Promise<K2Error> {
  if (K2Error.isInstance(err)) return err
  const message = ((err as Error).message ?? String(err)).split('\n')[0] as string
  const named = paths.find((p) => message.includes(p))
  if (named) return damaged(named, ctx, `cannot be read (${message})`, err)
  for (const path of paths) {
    const failed = await probe(path).then(
      () => null,
      (e: unknown) => e as Error,
    )
    if (failed) return damaged(path, ctx, `cannot be read (${failed.message.split('\n')[0]})`, err)
  }
  const snapshot = ctx.snapshotId === null ? '' : ` (snapshot ${String(ctx.snapshotId)})`
  return new K2Error(
    'INTERNAL',
    `reading ${ctx.table}${snapshot} failed though each of its files reads alone (${message}): please report this`,
    {
      cause: err,
    },
  )
}

/** SQL that decodes every column of one data file: what `readFailure` probes with. */
export function probeSql(path: string): string {
  return `SELECT bit_xor(hash(COLUMNS(*))) FROM read_parquet([${sqlString(path)}])`
}
