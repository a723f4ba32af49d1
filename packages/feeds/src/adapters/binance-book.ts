// Binance diff depth (`<sym>@depth@100ms`) and the REST depth snapshot:
// https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#diff-depth-stream
import type { BookDelta, BookSnapshot, CanonicalSymbol } from '@k2/core'
import type { BookSnapshotApi, ParsedBookFrame } from './adapter.js'
import { pairLevels } from './book-fields.js'
import { FieldError, millisToMicros, parseJsonFrame, protocolError, record, type SymbolMap, show, str, tradeId } from './fields.js'

/** The REST snapshot holds at most 5000 levels per side. */
export const BINANCE_MAX_SNAPSHOT = 5000

/** A `depthUpdate` payload (the combined stream's `data`) as a delta; `sequence` = `u`, `firstSequence` = `U`. */
export function binanceDepthUpdate(data: Record<string, unknown>, frame: string, recvTs: number, map: SymbolMap): ParsedBookFrame {
  const native = str(data.s, 's')
  const symbol = map.toCanonical(native)
  if (symbol === undefined) return protocolError('binance', `unknown symbol ${show(native)}`, frame)
  const first = tradeId(data.U, 'U')
  const last = tradeId(data.u, 'u')
  if (first > last) throw new FieldError(`a depth update must have U <= u, got U=${first} u=${last}`)
  const bids = pairLevels(data.b, 'b')
  const asks = pairLevels(data.a, 'a')
  const event: BookDelta = {
    type: 'book_delta',
    exchange: 'binance',
    symbol,
    ts: millisToMicros(data.E, 'E'),
    recvTs,
    bids: bids.levels,
    asks: asks.levels,
    sequence: last,
    firstSequence: first,
  }
  return { kind: 'book', books: [{ event, text: { bids: bids.text, asks: asks.text } }] }
}

/** `GET /api/v3/depth?symbol=&limit=`: `{lastUpdateId, bids, asks}`, no exchange time (the receive time stands in). */
export function binanceSnapshotApi(toNative: (s: CanonicalSymbol) => string): BookSnapshotApi {
  return {
    url: (rest, symbol, depth) => `${rest}/api/v3/depth?symbol=${toNative(symbol)}&limit=${Math.min(BINANCE_MAX_SNAPSHOT, depth)}`,
    parse: (body, symbol, recvTs) =>
      parseJsonFrame('binance', body, (json) => {
        const r = record(json, 'depth snapshot')
        const bids = pairLevels(r.bids, 'bids')
        const asks = pairLevels(r.asks, 'asks')
        const event: BookSnapshot = {
          type: 'book_snapshot',
          exchange: 'binance',
          symbol,
          ts: recvTs,
          recvTs,
          bids: bids.levels,
          asks: asks.levels,
          sequence: tradeId(r.lastUpdateId, 'lastUpdateId'),
        }
        return { kind: 'book', books: [{ event, text: { bids: bids.text, asks: asks.text } }] }
      }),
  }
}
