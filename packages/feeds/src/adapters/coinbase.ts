// Coinbase Advanced Trade WebSocket: https://docs.cdp.coinbase.com/advanced-trade/docs/ws-channels
import { type CanonicalSymbol, FeedError, isSymbol, type Side, type Trade } from '@k2/core'
import type { AdapterOptions, BookAdapter, ExchangeAdapter, FeedChannel, HistoryApi, ParsedBookFrame, ParsedFrame } from './adapter.js'
import { coinbaseLevel2, coinbaseSequenceOf } from './coinbase-book.js'
import { scanCoinbaseTrades } from './coinbase-scan.js'
import {
  array,
  caught,
  decimal,
  FieldError,
  frameText,
  isoToMicros,
  parseJsonFrame,
  protocolError,
  record,
  SymbolMap,
  show,
  str,
  text,
  tradeId,
} from './fields.js'

/** Coinbase prints the MAKER side; K2's `side` is the taker's, so it is inverted. */
function takerSide(makerSide: unknown): Side {
  if (makerSide === 'SELL' || makerSide === 'sell') return 'buy'
  if (makerSide === 'BUY' || makerSide === 'buy') return 'sell'
  throw new FieldError(`field "side" must be BUY or SELL, got ${show(makerSide)}`)
}

/** Coinbase Advanced Trade `market_trades` (with the `heartbeats` channel to keep quiet subscriptions open). */
export class CoinbaseAdapter implements ExchangeAdapter, BookAdapter {
  readonly exchange = 'coinbase' as const
  readonly defaultUrl = 'wss://advanced-trade-ws.coinbase.com'
  /** Trade history comes from the Coinbase Exchange REST API (same products, same trade ids). */
  readonly defaultRestUrl = 'https://api.exchange.coinbase.com'
  readonly channels: readonly FeedChannel[] = ['trades']
  readonly contiguousIds = true
  readonly history: HistoryApi
  readonly deadAfterMs = 30_000
  readonly maxLifetimeMs = undefined
  private readonly map: SymbolMap

  constructor(options: AdapterOptions = {}) {
    this.map = new SymbolMap(
      options.symbols ?? [],
      (s) => s,
      (n) => (isSymbol(n) ? n : undefined),
    )
    this.history = coinbaseHistory()
  }

  toNative(symbol: CanonicalSymbol): string {
    return this.map.toNative(symbol)
  }
  toCanonical(native: string): CanonicalSymbol | undefined {
    return this.map.toCanonical(native)
  }

  subscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return [
      JSON.stringify({ type: 'subscribe', product_ids: symbols.map((s) => this.toNative(s)), channel: 'market_trades' }),
      JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
    ]
  }
  unsubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return [JSON.stringify({ type: 'unsubscribe', product_ids: symbols.map((s) => this.toNative(s)), channel: 'market_trades' })]
  }
  ping(): undefined {
    return undefined // the heartbeats channel sends one message per second
  }

  /** level2 is the whole book, snapshot first. */
  readonly bookDepths = undefined
  readonly bookSnapshot = undefined

  bookSubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return [
      JSON.stringify({ type: 'subscribe', product_ids: symbols.map((s) => this.toNative(s)), channel: 'level2' }),
      JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
    ]
  }
  bookUnsubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return [JSON.stringify({ type: 'unsubscribe', product_ids: symbols.map((s) => this.toNative(s)), channel: 'level2' })]
  }

  /** The connection-wide `sequence_num` of a frame (every channel counts), for gap checks; undefined if absent. */
  sequenceOf(frame: string): number | undefined {
    return coinbaseSequenceOf(frame)
  }

  parseBook(frame: string, recvTs: number): ParsedBookFrame {
    try {
      const f = frameText(frame, 'coinbase')
      if (!f.includes('"l2_data"') && !f.includes('"level2"')) return this.parse(f, recvTs)
      return parseJsonFrame('coinbase', f, (json) => {
        const msg = record(json, 'frame')
        if (msg.channel === 'l2_data') return coinbaseLevel2(msg, f, recvTs, this.map)
        // A subscriptions message acks the trade subscription as before: a level2 one is answered by its snapshot.
        return this.parse(f, recvTs)
      })
    } catch (err) {
      return caught('coinbase', frame, err)
    }
  }

  parse(frame: string, recvTs: number): ParsedFrame {
    try {
      const f = frameText(frame, 'coinbase')
      return (
        scanCoinbaseTrades(f, recvTs, this.map) ??
        parseJsonFrame('coinbase', f, (json) => this.parseMessage(record(json, 'frame'), f, recvTs))
      )
    } catch (err) {
      return caught('coinbase', frame, err)
    }
  }

  private parseMessage(msg: Record<string, unknown>, frame: string, recvTs: number): ParsedFrame {
    const channel = msg.channel
    if (channel === 'market_trades') {
      const trades: Trade[] = []
      let snapshot = false
      for (const ev of array(msg.events, 'events')) {
        const event = record(ev, 'event')
        if (event.type === 'snapshot') snapshot = true
        else if (event.type !== 'update') throw new FieldError(`event type must be "snapshot" or "update", got ${show(event.type)}`)
        for (const row of array(event.trades, 'trades')) {
          const t = record(row, 'trade')
          const native = str(t.product_id, 'product_id')
          const symbol = this.toCanonical(native)
          if (symbol === undefined) return protocolError('coinbase', `unknown product ${show(native)}`, frame)
          trades.push({
            type: 'trade',
            exchange: 'coinbase',
            symbol,
            id: String(tradeId(t.trade_id, 'trade_id', 'digits')),
            price: decimal(t.price, 'price'),
            qty: decimal(t.size, 'size'),
            side: takerSide(t.side),
            ts: isoToMicros(t.time, 'time'),
            recvTs,
          })
        }
      }
      // Coinbase lists the trades of an event newest first.
      if (trades.length > 1) trades.sort((a, b) => Number(a.id) - Number(b.id))
      return { kind: 'trades', trades, snapshot }
    }
    if (channel === 'heartbeats') return { kind: 'heartbeat' }
    if (channel === 'subscriptions') {
      const first = record(array(msg.events, 'events')[0] ?? {}, 'event')
      const subs =
        typeof first.subscriptions === 'object' && first.subscriptions !== null ? (first.subscriptions as Record<string, unknown>) : {}
      const products = Array.isArray(subs.market_trades) ? subs.market_trades : []
      const symbols = products.flatMap((p) => {
        const s = typeof p === 'string' ? this.toCanonical(p) : undefined
        return s === undefined ? [] : [s]
      })
      return { kind: 'ack', symbols }
    }
    if (msg.type === 'error') {
      const error = new FeedError('SUBSCRIPTION', 'coinbase', `server error: ${text(msg.message)}; check the product ids (e.g. BTC-USD)`, {
        frame,
      })
      return { kind: 'rejected', error }
    }
    return { kind: 'ignored', reason: `unhandled Coinbase channel ${show(channel ?? msg.type)}` }
  }
}

/**
 * `GET /products/<id>/trades?after=<id>&limit=1000` returns trades with ids below `after`, newest first:
 * asking for `after = fromId + 1000` (capped at `toId + 1`) returns the page that starts at `fromId`.
 */
function coinbaseHistory(): HistoryApi {
  return {
    pageUrl: (rest, symbol, fromId, toId) => `${rest}/products/${symbol}/trades?after=${Math.min(toId, fromId + 999) + 1}&limit=1000`,
    parsePage: (body, symbol, recvTs) =>
      array(JSON.parse(body), 'trades response')
        .map((row): Trade => {
          const t = record(row, 'trade')
          return {
            type: 'trade',
            exchange: 'coinbase',
            symbol,
            id: String(tradeId(t.trade_id, 'trade_id')),
            price: decimal(t.price, 'price'),
            qty: decimal(t.size, 'size'),
            side: takerSide(t.side),
            ts: isoToMicros(t.time, 'time'),
            recvTs,
          }
        })
        .sort((a, b) => Number(a.id) - Number(b.id)),
  }
}
