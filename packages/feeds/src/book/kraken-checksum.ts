import type { BookSide } from './book-side.js'
import { CRC_INIT, crcByte, crcFinal } from './crc32.js'

/** Kraken checksums cover the 10 best levels of each side, whatever the subscribed depth. */
export const KRAKEN_CHECKSUM_LEVELS = 10

/**
 * Kraken's book CRC32 (v1 and v2): for the 10 best asks (ascending), then the 10 best bids
 * (descending), the price text and then the qty text, each with the `.` removed and leading zeros
 * stripped. It must be computed on the exchange's own decimal text (`0.12290`, not `0.1229`), which the
 * book keeps per level; `fallback` prints a level that has none (or throws).
 */
export function krakenChecksum(asks: BookSide, bids: BookSide, fallback: (side: BookSide, index: number, qty: boolean) => string): number {
  let crc = sideDigits(CRC_INIT, asks, fallback)
  crc = sideDigits(crc, bids, fallback)
  return crcFinal(crc)
}

function sideDigits(crc: number, side: BookSide, fallback: (side: BookSide, index: number, qty: boolean) => string): number {
  const n = Math.min(KRAKEN_CHECKSUM_LEVELS, side.size)
  let out = crc
  for (let k = 0, i = side.indexOf(0); k < n; k++, i--) {
    const p = side.priceTexts[i] as string
    const q = side.qtyTexts[i] as string
    out = feedDigits(out, p === '' ? fallback(side, i, false) : p)
    out = feedDigits(out, q === '' ? fallback(side, i, true) : q)
  }
  return out
}

/** Feeds a decimal's digits without its dot and leading zeros, in one pass and without a new string. */
function feedDigits(crc: number, text: string): number {
  let out = crc
  let leading = true
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) continue // '.'
    if (leading) {
      if (c === 48) continue // '0' before the first significant digit
      leading = false
    }
    out = crcByte(out, c)
  }
  return out
}
