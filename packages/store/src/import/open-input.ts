import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { crc32, createGunzip, createInflateRaw } from 'node:zlib'
import { K2Error } from '@k2/core'
import yauzl from 'yauzl'

/**
 * One input of an import: a CSV as a stream of its decompressed bytes. Zip archives are read with
 * yauzl, which reads the central directory; each entry is inflated with Node's native zlib as a
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

// `details.file` marks an input's own fault (the CLI exits 3, a data problem, not 2, bad usage).
const zipFail = (path: string, err: unknown) =>
  new K2Error('VALIDATION', `cannot read ${path} as a zip archive: ${(err as Error).message}`, { cause: err, details: { file: path } })

/** A compressed input that does not inflate to what it says it holds. */
const damaged = (file: string, why: string, cause?: unknown) =>
  new K2Error('VALIDATION', `${file} is damaged: ${why}; download it again`, { cause, details: { file } })

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
            open: () => openEntry(zip, entry, path),
          })
        }
        zip.readEntry()
      })
      zip.on('end', () => resolveParts({ parts, close: () => zip.close() }))
      zip.readEntry()
    })
  })
}

/**
 * An entry's bytes. A deflated entry is inflated here rather than by yauzl, in 1 MiB output chunks
 * (yauzl's inflater hands out 16 KiB, and the round trips cost as much as the inflating), and its
 * size and CRC-32 are checked at the end, as an unzip tool does.
 */
function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, path: string): Promise<Readable> {
  const deflated = entry.compressionMethod === 8
  return new Promise<Readable>((res, rej) =>
    zip.openReadStream(entry, { decompress: deflated ? false : null, decrypt: null, start: null, end: null }, (e, raw) => {
      if (e || !raw) return rej(zipFail(path, e))
      if (!deflated) return res(raw)
      const label = `${path}:${entry.fileName}`
      const inflate = createInflateRaw({ chunkSize: CHUNK })
      const check = entryCheck(entry, label)
      raw.on('error', (err) => check.destroy(zipFail(path, err)))
      inflate.on('error', (err) => check.destroy(damaged(label, `it does not inflate (${err.message})`, err)))
      check.on('close', () => {
        raw.destroy()
        inflate.destroy()
      })
      res(raw.pipe(inflate).pipe(check))
    }),
  )
}

/** Passes an entry's bytes through, failing at the end when their count or CRC-32 is not the entry's. */
function entryCheck(entry: yauzl.Entry, label: string): Transform {
  let size = 0
  let crc = 0
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      crc = crc32(chunk, crc)
      done(null, chunk)
    },
    flush(done) {
      if (size === entry.uncompressedSize && crc >>> 0 === entry.crc32 >>> 0) return done()
      done(
        damaged(
          label,
          `it inflates to ${size} bytes with CRC-32 ${(crc >>> 0).toString(16)}, the archive says ${entry.uncompressedSize} bytes with ${(entry.crc32 >>> 0).toString(16)}`,
        ),
      )
    },
  })
}

const CHUNK = 1 << 20

/** A .gz file's bytes; gunzip checks its CRC-32 and size, and a failure says the file is damaged. */
function gunzip(path: string): Readable {
  const file = createReadStream(path, { highWaterMark: CHUNK })
  const out = createGunzip({ chunkSize: CHUNK })
  // zlib's own error is replaced by one that names the file.
  const named = new Transform({ transform: (chunk, _enc, done) => done(null, chunk) })
  file.on('error', (err) => named.destroy(err))
  out.on('error', (err) => named.destroy(damaged(path, `it does not gunzip (${err.message})`, err)))
  named.on('close', () => {
    file.destroy()
    out.destroy()
  })
  return file.pipe(out).pipe(named)
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
    open: async () => (gz ? gunzip(path) : createReadStream(path, { highWaterMark: CHUNK })),
  }
  return { parts: [part], close: () => {} }
}
