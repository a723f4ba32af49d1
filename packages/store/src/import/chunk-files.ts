import { createHash } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/**
 * Cuts a stream of CSV bytes into temp files of about `chunkBytes` at line boundaries, for DuckDB's
 * CSV reader, which reads files and not streams. Only one or two chunks exist at a time (the one
 * being imported and the next, written meanwhile), so memory and disk stay flat whatever the input's
 * size. Lines are counted as they pass, so every chunk knows the input line it starts at; the whole
 * content is hashed (sha256), which identifies an input however it was compressed.
 */
export interface Chunk {
  path: string
  /** 1-based line number (in the input) of the chunk's first line. */
  firstLine: number
  bytes: number
}

export interface ChunkOptions {
  dir: string
  chunkBytes: number
  /** Called with the input's first line (BOM and CR removed); true drops it (a header). */
  header(firstLine: string): boolean
  /** Decompressed bytes read so far. */
  onBytes?(bytes: number): void
  signal?: AbortSignal
}

export interface ChunkedInput {
  chunks: AsyncGenerator<Chunk>
  /** sha256 (hex) of the input's bytes; known once every chunk was taken. */
  digest(): string
}

let seq = 0
const FIRST_CHUNK = 4 << 20

export function chunkFiles(stream: Readable, opts: ChunkOptions): ChunkedInput {
  const hash = createHash('sha256')
  let digest: string | null = null
  const ready: Chunk[] = []
  let done = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  let space: (() => void) | null = null
  const notify = () => {
    wake?.()
    wake = null
  }

  const pump = async () => {
    let fd = -1
    let path = ''
    let bytes = 0
    let firstLine = 1
    let line = 1 // the line the next byte belongs to
    let head: Buffer | null = Buffer.alloc(0) // until the first line is complete
    let read = 0
    // The first chunks are small and double up to chunkBytes, so DuckDB starts on the input while
    // the rest of it is still being inflated, instead of waiting for a whole chunk.
    let limit = Math.min(opts.chunkBytes, FIRST_CHUNK)
    const open = () => {
      path = join(opts.dir, `chunk-${process.pid}-${++seq}.csv`)
      fd = openSync(path, 'w')
      bytes = 0
      firstLine = line
    }
    const countLines = (b: Buffer, from = 0, to = b.length) => {
      for (let i = b.indexOf(10, from); i !== -1 && i < to; i = b.indexOf(10, i + 1)) line++
    }
    const close = async () => {
      closeSync(fd)
      fd = -1
      if (bytes === 0) return
      ready.push({ path, firstLine, bytes })
      notify()
      while (ready.length >= 2 && !failure) await new Promise<void>((r) => (space = r))
    }
    try {
      for await (const data of stream as AsyncIterable<Buffer>) {
        if (opts.signal?.aborted) throw opts.signal.reason
        hash.update(data)
        read += data.length
        opts.onBytes?.(read)
        let buf = data
        if (head) {
          head = Buffer.concat([head, buf])
          const nl = head.indexOf(10)
          if (nl === -1 && head.length < 1 << 20) continue
          const end = nl === -1 ? head.length : nl
          let text = head.subarray(0, end).toString('utf8')
          let start = 0
          if (text.charCodeAt(0) === 0xfeff) {
            text = text.slice(1)
            start = 3
          }
          buf = head
          head = null
          if (opts.header(text.replace(/\r$/, ''))) {
            buf = buf.subarray(Math.min(end + 1, buf.length))
            line = 2
          } else buf = buf.subarray(start)
          open()
        }
        let pos = 0
        while (pos < buf.length) {
          const room = limit - bytes
          if (buf.length - pos <= room) {
            writeSync(fd, buf, pos)
            countLines(buf, pos)
            bytes += buf.length - pos
            break
          }
          // Cut at the last line end within the room (or the first after it, for a very long line).
          let cut = buf.lastIndexOf(10, pos + room)
          if (cut < pos) cut = buf.indexOf(10, pos + room)
          if (cut === -1) {
            writeSync(fd, buf, pos)
            countLines(buf, pos)
            bytes += buf.length - pos
            break
          }
          writeSync(fd, buf, pos, cut + 1 - pos)
          countLines(buf, pos, cut + 1)
          bytes += cut + 1 - pos
          pos = cut + 1
          await close()
          limit = Math.min(opts.chunkBytes, limit * 2)
          open()
        }
      }
      if (head && head.length > 0) {
        // A single line without a newline.
        const text = head.toString('utf8').replace(/^\uFEFF/, '')
        if (!opts.header(text.replace(/\r$/, ''))) {
          open()
          writeSync(fd, Buffer.from(text))
          bytes = text.length
        }
      }
      if (fd !== -1) await close()
      digest = hash.digest('hex')
    } catch (err) {
      failure = err
      if (fd !== -1) closeSync(fd)
      stream.destroy()
    } finally {
      done = true
      notify()
    }
  }
  const pumping = pump()

  async function* chunks(): AsyncGenerator<Chunk> {
    try {
      while (true) {
        if (ready.length > 0) {
          const c = ready.shift() as Chunk
          space?.()
          space = null
          yield c
          continue
        }
        if (failure) throw failure
        if (done) return
        await new Promise<void>((r) => (wake = r))
      }
    } finally {
      if (!done) {
        failure ??= new Error('import stopped')
        space?.()
        stream.destroy()
      }
      await pumping
    }
  }
  return {
    chunks: chunks(),
    digest: () => {
      if (digest === null) throw new Error('the input was not read to its end')
      return digest
    },
  }
}
