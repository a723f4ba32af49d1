import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { K2Error } from '@k2/core'
import yauzl from 'yauzl'

/**
 * One input of an import: a CSV as a stream of its decompressed bytes. Zip archives are read with
 * yauzl, which reads the central directory and inflates each entry with Node's native zlib as a
 * stream (nothing is unzipped to disk, memory stays at its buffers whatever the entry's size);
 * `.gz` goes through zlib's gunzip, plain files are read as they are.
 */
export interface InputPart {
  /** The file (and, in a zip, the entry) for messages: `BTCUSDT-trades-2024-01-01.zip:BTCUSDT-trades-2024-01-01.csv`. */
  label: string
  /** The path given, for venue and symbol hints. */
  path: string
  /** The CSV's own name (the zip entry's, or the file's without .gz). */
  name: string
  /** Decompressed size in bytes when known (zip entries, plain files). */
  size: number | undefined
  open(): Promise<Readable>
}

const zipFail = (path: string, err: unknown) =>
  new K2Error('VALIDATION', `cannot read ${path} as a zip archive: ${(err as Error).message}`, { cause: err })

function zipParts(path: string): Promise<{ parts: InputPart[]; close(): void }> {
  return new Promise((resolveParts, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(zipFail(path, err))
      const parts: InputPart[] = []
      zip.on('error', (e) => reject(zipFail(path, e)))
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/') && /\.csv$/i.test(entry.fileName)) {
          parts.push({
            label: `${path}:${entry.fileName}`,
            path,
            name: basename(entry.fileName),
            size: entry.uncompressedSize,
            open: () =>
              new Promise<Readable>((res, rej) =>
                zip.openReadStream(entry, (e, stream) => (e || !stream ? rej(zipFail(path, e)) : res(stream))),
              ),
          })
        }
        zip.readEntry()
      })
      zip.on('end', () => resolveParts({ parts, close: () => zip.close() }))
      zip.readEntry()
    })
  })
}

/** The CSVs in `path` (a zip may hold several), with a function that closes what was opened. */
export async function inputParts(path: string): Promise<{ parts: InputPart[]; close(): void }> {
  const info = await stat(path).catch((err) => {
    throw new K2Error('NOT_FOUND', `cannot import ${path}: the file does not exist or is not readable`, { cause: err })
  })
  if (!info.isFile()) throw new K2Error('VALIDATION', `cannot import ${path}: not a file`)
  if (/\.zip$/i.test(path)) {
    const zip = await zipParts(path)
    if (zip.parts.length === 0) {
      zip.close()
      throw new K2Error('VALIDATION', `${path} holds no .csv entry: K2 imports the CSVs of a zip archive`)
    }
    return zip
  }
  const gz = /\.gz$/i.test(path)
  const part: InputPart = {
    label: path,
    path,
    name: basename(gz ? path.slice(0, -3) : path),
    size: gz ? undefined : info.size,
    open: async () => (gz ? pipeline(createReadStream(path), createGunzip(), () => {}) : createReadStream(path)),
  }
  return { parts: [part], close: () => {} }
}
