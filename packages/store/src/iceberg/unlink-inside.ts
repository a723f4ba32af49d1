import { realpath, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { K2Error } from '@k2/core'
import { isInside } from './table-location.js'

/**
 * The one way K2 deletes a file that metadata names: only inside the table's own directory, checked
 * here at the point of unlinking with symlinks resolved, whatever the metadata says. A file that is
 * already gone is not an error (a retried clean-up); false then.
 */
export async function unlinkInside(tableDir: string, path: string): Promise<boolean> {
  let real: string
  let root: string
  try {
    root = await realpath(tableDir)
    real = join(await realpath(dirname(path)), basename(path))
  } catch {
    return false // the folder is gone, so the file is too
  }
  if (!isInside(root, real)) {
    throw new K2Error(
      'CORRUPT_TABLE',
      `refusing to delete ${path}: it lies outside the table directory ${tableDir} (K2 deletes only inside a table); the table's metadata names a file elsewhere — restore the metadata, or run lake.relocate() if the lake was moved`,
      { details: { path, tableDir } },
    )
  }
  try {
    await unlink(real)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new K2Error('IO', `could not delete ${path}: ${(err as Error).message}`, { cause: err })
  }
}
