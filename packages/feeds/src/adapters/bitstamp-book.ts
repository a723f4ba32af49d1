// Bitstamp `diff_order_book_<pair>` and the REST order book: https://www.bitstamp.net/websocket/v2/
import type { BookDelta, BookSnapshot, CanonicalSymbol } from '@k2/core'
import type { BookSnapshotApi, ParsedBookFrame } from './adapter.js'
import { pairLevels } from './book-fields.js'
import { microsDigits, parseJsonFrame, record } from './fields.js'

export const BITSTAMP_DIFF_PREFIX = 'diff_order_book_'

/** A diff: absolute amounts, 0 removes. No sequence numbers: `ts` (the microtimestamp) orders diffs. */
export function bitstampDiff(data: Record<string, unknown>, symbol: CanonicalSymbol, recvTs: number): ParsedBookFrame {
  const bids = pairLevels(data.bids, 'bids')
  const asks = pairLevels(data.asks, 'asks')
  const event: BookDelta = {
    type: 'book_delta',
    exchange: 'bitstamp',
    symbol,
    ts: microsDigits(data.microtimestamp, 'microtimestamp'),
    recvTs,
    bids: bids.levels,
    asks: asks.levels,
  }
  return { kind: 'book', books: [{ event, text: { bids: bids.text, asks: asks.text } }] }
}

/** `GET /api/v2/order_book/<pair>/`: `{timestamp, microtimestamp, bids, asks}`, all strings; the whole book. */
export function bitstampSnapshotApi(toNative: (s: CanonicalSymbol) => string): BookSnapshotApi {
  return {
    url: (rest, symbol) => `${rest}/api/v2/order_book/${toNative(symbol)}/`,
    parse: (body, symbol, recvTs) =>
      parseJsonFrame('bitstamp', body, (json) => {
        const r = record(json, 'order book')
        const bids = pairLevels(r.bids, 'bids')
        const asks = pairLevels(r.asks, 'asks')
        const event: BookSnapshot = {
          type: 'book_snapshot',
          exchange: 'bitstamp',
          symbol,
          ts: microsDigits(r.microtimestamp, 'microtimestamp'),
          recvTs,
          bids: bids.levels,
          asks: asks.levels,
        }
        return { kind: 'book', books: [{ event, text: { bids: bids.text, asks: asks.text } }] }
      }),
  }
}
