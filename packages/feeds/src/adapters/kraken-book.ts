// Kraken WebSocket v2 `book`: https://docs.kraken.com/api/docs/websocket-v2/book
import type { BookDelta, BookSnapshot } from '@k2/core'
import type { BookMessage, ParsedBookFrame } from './adapter.js'
import { emptySide, type SideLevels } from './book-fields.js'
import { array, FieldError, isoToMicros, protocolError, record, type SymbolMap, show, str } from './fields.js'
import { JsonNumber } from './lossless-json.js'

/** Depths a v2 book subscription may ask for. */
export const KRAKEN_BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const

// Plain decimals only: the checksum is taken on this text, so an exponent form would be meaningless.
const PLAIN = /^(?:0|[1-9]\d*)(?:\.\d+)?$/

/**
 * A v2 book message read losslessly (numbers as their wire text). Each `data` row is one symbol's
 * snapshot or update, with the CRC32 of its top 10 levels after the message.
 */
export function krakenBookMessage(msg: Record<string, unknown>, frame: string, recvTs: number, map: SymbolMap): ParsedBookFrame {
  const type = msg.type
  if (type !== 'snapshot' && type !== 'update') throw new FieldError(`book message type must be "snapshot" or "update", got ${show(type)}`)
  const books: BookMessage[] = []
  for (const row of array(msg.data, 'data')) {
    const b = record(row, 'book')
    const native = str(b.symbol, 'symbol')
    const symbol = map.toCanonical(native)
    if (symbol === undefined) return protocolError('kraken', `unknown symbol ${show(native)}`, frame)
    const bids = levels(b.bids, 'bids')
    const asks = levels(b.asks, 'asks')
    const event: BookSnapshot | BookDelta = {
      type: type === 'snapshot' ? 'book_snapshot' : 'book_delta',
      exchange: 'kraken',
      symbol,
      // Snapshots may come without a timestamp: the receive time stands in.
      ts: b.timestamp === undefined ? recvTs : isoToMicros(b.timestamp, 'timestamp'),
      recvTs,
      bids: bids.levels,
      asks: asks.levels,
      checksum: checksum(b.checksum),
    }
    books.push({ event, text: { bids: bids.text, asks: asks.text } })
  }
  return { kind: 'book', books }
}

function levels(value: unknown, field: string): SideLevels {
  const side = emptySide()
  for (const row of array(value, field)) {
    const l = record(row, `a level of "${field}"`)
    const price = plain(l.price, `${field} price`)
    const qty = plain(l.qty, `${field} qty`)
    if (!(price.value > 0) || price.value === Number.POSITIVE_INFINITY)
      throw new FieldError(`field "${field} price" must be a positive price, got ${show(price.text)}`)
    if (qty.value === Number.POSITIVE_INFINITY) throw new FieldError(`field "${field} qty" must be finite, got ${show(qty.text)}`)
    side.levels.push([price.value, qty.value])
    side.text.push([price.text, qty.text])
  }
  return side
}

function plain(value: unknown, field: string): JsonNumber {
  if (!(value instanceof JsonNumber) || !PLAIN.test(value.text))
    throw new FieldError(
      `field "${field}" must be a JSON number without sign or exponent, got ${show(value instanceof JsonNumber ? value.text : value)}`,
    )
  return value
}

function checksum(value: unknown): number {
  const n = value instanceof JsonNumber && /^\d{1,10}$/.test(value.text) ? value.value : Number.NaN
  if (!(n <= 0xffffffff))
    throw new FieldError(
      `field "checksum" must be an unsigned 32-bit integer, got ${show(value instanceof JsonNumber ? value.text : value)}`,
    )
  return n
}
