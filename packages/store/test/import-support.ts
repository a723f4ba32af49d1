import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import yazl from 'yazl'

/** Writes `lines` (generated lazily) as the one CSV entry `entry` of a zip archive at `path`. */
export async function writeZip(path: string, entry: string, lines: Iterable<string>): Promise<void> {
  const zip = new yazl.ZipFile()
  function* chunks() {
    let buf: string[] = []
    for (const l of lines) {
      buf.push(l)
      if (buf.length === 10_000) {
        yield `${buf.join('\n')}\n`
        buf = []
      }
    }
    if (buf.length) yield `${buf.join('\n')}\n`
  }
  zip.addReadStream(Readable.from(chunks()), entry)
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(path))
}

/** Binance spot trade lines (no header, 7 fields), ids from `first`, one trade every ms from `t0`. */
export function* binanceTradeLines(n: number, opts: { first?: number; t0Ms?: number; micros?: boolean } = {}): Generator<string> {
  const first = opts.first ?? 1
  const t0 = opts.t0Ms ?? Date.UTC(2024, 0, 1)
  for (let i = 0; i < n; i++) {
    const price = (42000 + (i % 1000) / 100).toFixed(2)
    const qty = (0.001 * (1 + (i % 50))).toFixed(5)
    const t = opts.micros ? (t0 + i) * 1000 + (i % 1000) : t0 + i
    yield `${first + i},${price},${qty},${(Number(price) * Number(qty)).toFixed(8)},${t},${i % 3 === 0 ? 'True' : 'False'},True`
  }
}
