import type { BookSide } from './book-side.js'
import { CRC_INIT, crcAscii, crcFinal } from './crc32.js'

/** Kraken checksums cover the 10 best levels of each side, whatever the subscribed depth. */
export const KRAKEN_CHECKSUM_LEVELS = 10

/**
 * Kraken's book CRC32 (v1 and v2): for the 10 best asks (ascending), then the 10 best bids
 * (descending), the price text and then the qty text, each with the `.` removed and leading zeros
 * stripped. It must be computed on the exchange's own decimal text (`0.12290`, not `0.1229`), so
 * `textOf` gives a level's text; the book keeps the wire text for that.
 */
export function krakenChecksum(asks: BookSide, bids: BookSide, textOf: (side: BookSide, index: number, qty: boolean) => string): number {
  let crc = CRC_INIT
  for (const side of [asks, bids]) {
    const n = Math.min(KRAKEN_CHECKSUM_LEVELS, side.size)
    for (let k = 0; k < n; k++) {
      const i = side.indexOf(k)
      crc = feedDigits(crc, textOf(side, i, false))
      crc = feedDigits(crc, textOf(side, i, true))
    }
  }
  return crcFinal(crc)
}

/** Feeds a decimal's digits without its dot and leading zeros, without building a new string. */
function feedDigits(crc: number, text: string): number {
  let i = 0
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 48 && c !== 46) break // '0', '.'
  }
  let out = crc
  const dot = text.indexOf('.', i)
  if (dot < 0) return crcAscii(out, text, i)
  out = crcAscii(out, text.slice(i, dot))
  return crcAscii(out, text, dot + 1)
}
