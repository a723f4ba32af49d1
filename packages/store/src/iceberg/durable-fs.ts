import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { link, mkdir, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { K2Error } from '@k2/core'

/**
 * Writes that survive a crash: data is fsynced before it is published, and the directory entry is
 * fsynced after. The commit point of a table is `publishExclusive`: a hard link, which fails with
 * EEXIST when another writer published the same name first (rename would silently replace it).
 */

/** A failed write as a K2Error IO that says what to do (a read-only lake, a full disk). */
export function writeError(err: unknown, path: string): K2Error {
  if (K2Error.isInstance(err)) return err
  const code = (err as NodeJS.ErrnoException).code ?? /\b(EACCES|EPERM|EROFS|ENOSPC|EDQUOT)\b/.exec(String(err))?.[1]
  const readOnly = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || /permission denied|read-only file system/i.test(String(err))
  const full = code === 'ENOSPC' || code === 'EDQUOT' || /no space left/i.test(String(err))
  const what = readOnly
    ? 'the lake is not writable: open a writable lake to write'
    : full
      ? 'the disk is full: free space and flush again'
      : 'check the lake directory'
  return new K2Error('IO', `cannot write ${path} (${code ?? (err as Error).message?.split('\n')[0]}): ${what}`, {
    cause: err,
    details: { path, code, readOnly },
  })
}

export async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true })
    const fh = await open(path, 'wx')
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw writeError(err, path)
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch {
    // Some platforms cannot fsync a directory; the data itself is already synced.
  }
}

/** Links `temp` to `final`; returns false when `final` already exists (another commit won). */
export async function publishExclusive(temp: string, final: string): Promise<boolean> {
  try {
    await link(temp, final)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new K2Error('IO', `could not publish ${final}: ${(err as Error).message}; check the lake directory is writable`, { cause: err })
  } finally {
    await unlink(temp).catch(() => {})
  }
  await fsyncDir(dirname(final))
  return true
}

/** Replaces a small file atomically (temp + rename); for the version hint, which is not a commit point. */
export async function replaceFile(path: string, data: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`
  const fd = openSync(temp, 'w')
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  await rename(temp, path)
}
