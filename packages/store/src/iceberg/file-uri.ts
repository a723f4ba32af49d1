import { fileURLToPath, pathToFileURL } from 'node:url'
import { K2Error } from '@k2/core'

/** Iceberg metadata names files by URI; K2's tables are local, so these are `file:` URIs. */

/** `file:///abs/path` for a local path (what Iceberg metadata stores). */
export function toUri(path: string): string {
  return pathToFileURL(path).href
}

/** The local path of a `file:` URI (`file:/x` and `file:///x` alike); rejects other schemes. */
export function fromUri(uri: string): string {
  if (!uri.startsWith('file:')) {
    throw new K2Error('UNSUPPORTED', `"${uri}" is not a local file URI: this lake reads file:// tables only (object stores come later)`)
  }
  try {
    return fileURLToPath(uri.startsWith('file:///') ? uri : `file://${uri.slice('file:'.length)}`)
  } catch (err) {
    // e.g. a host name, an encoded "/" or NUL: a path K2 never writes, so the metadata is damaged
    throw new K2Error(
      'CORRUPT_TABLE',
      `"${uri.slice(0, 200)}" in the table's metadata is not a valid local file URI (${(err as Error).message}): restore the metadata file that names it from a backup`,
      {
        cause: err,
        details: { uri },
      },
    )
  }
}

/** Where a path in metadata is on this machine (`fromUri`, or a table's prefix mapping). */
export type ResolvePath = (uri: string) => string
