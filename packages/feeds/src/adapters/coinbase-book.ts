// Coinbase Advanced Trade `level2` (data on channel `l2_data`): https://docs.cdp.coinbase.com/advanced-trade/docs/ws-channels#level2-channel
import type { BookDelta, BookSnapshot } from '@k2/core'
import type { BookMessage, ParsedBookFrame } from './adapter.js'
import { emptySide, pushLevel } from './book-fields.js'
import { array, FieldError, isoToMicros, protocolError, record, type SymbolMap, show, str, tradeId } from './fields.js'

/**
 * An `l2_data` message: each event is one product's snapshot (the whole book) or update. `sequence` is
 * the envelope's `sequence_num`, which counts every message of the connection (all channels): only the
 * connection can check it for gaps (`coinbaseNext`); per book it only grows.
 */
export function coinbaseLevel2(msg: Record<string, unknown>, frame: string, recvTs: number, map: SymbolMap): ParsedBookFrame {
  const sequence = tradeId(msg.sequence_num, 'sequence_num')
  const ts = isoToMicros(msg.timestamp, 'timestamp')
  const books: BookMessage[] = []
  for (const ev of array(msg.events, 'events')) {
    const e = record(ev, 'event')
    if (e.type !== 'snapshot' && e.type !== 'update') throw new FieldError(`event type must be "snapshot" or "update", got ${show(e.type)}`)
    const native = str(e.product_id, 'product_id')
    const symbol = map.toCanonical(native)
    if (symbol === undefined) return protocolError('coinbase', `unknown product ${show(native)}`, frame)
    const bids = emptySide()
    const asks = emptySide()
    for (const row of array(e.updates, 'updates')) {
      const u = record(row, 'update')
      // Coinbase names the ask side "offer".
      const side = u.side === 'bid' ? bids : u.side === 'offer' ? asks : undefined
      if (side === undefined) throw new FieldError(`field "side" must be "bid" or "offer", got ${show(u.side)}`)
      pushLevel(side, u.price_level, u.new_quantity, 'update')
    }
    const event: BookSnapshot | BookDelta = {
      type: e.type === 'snapshot' ? 'book_snapshot' : 'book_delta',
      exchange: 'coinbase',
      symbol,
      ts,
      recvTs,
      bids: bids.levels,
      asks: asks.levels,
      sequence,
    }
    books.push({ event, text: { bids: bids.text, asks: asks.text } })
  }
  return { kind: 'book', books }
}

// The envelope's first keys in Coinbase's layout: channel, an optional client_id, timestamp, sequence_num.
const ENVELOPE = /^\{"channel":"[^"\\]*",(?:"client_id":"[^"\\]*",)?"timestamp":"[^"\\]*","sequence_num":(0|[1-9]\d{0,14}),/

/**
 * The `sequence_num` of any Advanced Trade frame, read from its first bytes without parsing (the
 * connection checks it on every frame, heartbeats included); undefined where the layout differs.
 */
export function coinbaseSequenceOf(frame: string): number | undefined {
  const m = ENVELOPE.exec(frame)
  return m === null ? undefined : Number(m[1])
}
