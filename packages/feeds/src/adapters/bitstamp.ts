// Bitstamp WebSocket v2: https://www.bitstamp.net/websocket/v2/
import { type CanonicalSymbol, FeedError, type Trade } from '@k2/core'
import type {
  AdapterOptions,
  BookAdapter,
  BookSnapshotApi,
  ExchangeAdapter,
  FeedChannel,
  HistoryApi,
  ParsedBookFrame,
  ParsedFrame,
} from './adapter.js'
import { BITSTAMP_DIFF_PREFIX, bitstampDiff, bitstampSnapshotApi } from './bitstamp-book.js'
import { scanBitstampTrade } from './bitstamp-scan.js'
import { totalSnapshotApi } from './book-fields.js'
import {
  array,
  caught,
  decimal,
  FieldError,
  frameText,
  microsDigits,
  parseJsonFrame,
  protocolError,
  record,
  SymbolMap,
  show,
  splitByQuote,
  str,
  text,
  tradeId,
} from './fields.js'

const QUOTES = ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'BTC', 'ETH', 'PAX', 'GUSD', 'CHF']
const PREFIX = 'live_trades_'

/**
 * Bitstamp `live_trades_<pair>`. Trade ids are global across pairs, so a missing trade cannot be
 * detected from ids: the feed drops repeats (ids only grow per pair) but reports no gaps.
 */
export class BitstampAdapter implements ExchangeAdapter, BookAdapter {
  readonly exchange = 'bitstamp' as const
  readonly defaultUrl = 'wss://ws.bitstamp.net'
  readonly defaultRestUrl = 'https://www.bitstamp.net'
  readonly channels: readonly FeedChannel[] = ['trades']
  readonly contiguousIds = false
  /** Used after reconnects only (ids cannot reveal gaps): the last hour of the pair's trades. */
  readonly history: HistoryApi
  // Quiet pairs send nothing for minutes; our bts:heartbeat pings are answered.
  readonly deadAfterMs = 30_000
  readonly maxLifetimeMs = undefined
  private readonly map: SymbolMap

  constructor(options: AdapterOptions = {}) {
    this.map = new SymbolMap(
      options.symbols ?? [],
      (s) => s.replace('-', '').toLowerCase(),
      (n) => splitByQuote(n, QUOTES),
    )
    this.history = bitstampHistory(this)
    this.bookSnapshot = totalSnapshotApi(
      'bitstamp',
      bitstampSnapshotApi((s) => this.toNative(s)),
    )
  }

  /** diff_order_book is the whole book; the REST snapshot too. */
  readonly bookDepths = undefined
  readonly bookSnapshot: BookSnapshotApi

  bookSubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return symbols.map((s) => JSON.stringify({ event: 'bts:subscribe', data: { channel: `${BITSTAMP_DIFF_PREFIX}${this.toNative(s)}` } }))
  }
  bookUnsubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return symbols.map((s) => JSON.stringify({ event: 'bts:unsubscribe', data: { channel: `${BITSTAMP_DIFF_PREFIX}${this.toNative(s)}` } }))
  }

  parseBook(frame: string, recvTs: number): ParsedBookFrame {
    try {
      const f = frameText(frame, 'bitstamp')
      if (!f.includes(BITSTAMP_DIFF_PREFIX)) return this.parse(f, recvTs)
      return parseJsonFrame('bitstamp', f, (json) => {
        const msg = record(json, 'frame')
        const channel = msg.channel
        if (typeof channel !== 'string' || !channel.startsWith(BITSTAMP_DIFF_PREFIX)) return this.parse(f, recvTs)
        const symbol = this.toCanonical(channel.slice(BITSTAMP_DIFF_PREFIX.length))
        if (symbol === undefined) return protocolError('bitstamp', `unknown pair in channel ${show(channel)}`, f)
        if (msg.event === 'data') return bitstampDiff(record(msg.data, 'data'), symbol, recvTs)
        if (msg.event === 'bts:subscription_succeeded') return { kind: 'ack', symbols: [symbol] }
        return this.parse(f, recvTs)
      })
    } catch (err) {
      return caught('bitstamp', frame, err)
    }
  }

  toNative(symbol: CanonicalSymbol): string {
    return this.map.toNative(symbol)
  }
  toCanonical(native: string): CanonicalSymbol | undefined {
    return this.map.toCanonical(native)
  }

  subscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return symbols.map((s) => JSON.stringify({ event: 'bts:subscribe', data: { channel: `${PREFIX}${this.toNative(s)}` } }))
  }
  unsubscribe(symbols: readonly CanonicalSymbol[]): string[] {
    return symbols.map((s) => JSON.stringify({ event: 'bts:unsubscribe', data: { channel: `${PREFIX}${this.toNative(s)}` } }))
  }
  ping(): string {
    return '{"event":"bts:heartbeat"}'
  }

  parse(frame: string, recvTs: number): ParsedFrame {
    try {
      const f = frameText(frame, 'bitstamp')
      return (
        scanBitstampTrade(f, recvTs, this.map) ??
        parseJsonFrame('bitstamp', f, (json) => this.parseMessage(record(json, 'frame'), f, recvTs))
      )
    } catch (err) {
      return caught('bitstamp', frame, err)
    }
  }

  private channelSymbol(channel: unknown): CanonicalSymbol | undefined {
    return typeof channel === 'string' && channel.startsWith(PREFIX) ? this.toCanonical(channel.slice(PREFIX.length)) : undefined
  }

  private parseMessage(msg: Record<string, unknown>, frame: string, recvTs: number): ParsedFrame {
    const event = msg.event
    if (event === 'trade') {
      const channel = str(msg.channel, 'channel')
      if (!channel.startsWith(PREFIX)) return { kind: 'ignored', reason: `trade event on ${channel}` }
      const symbol = this.channelSymbol(channel)
      if (symbol === undefined) return protocolError('bitstamp', `unknown pair in channel ${show(channel)}`, frame)
      const d = record(msg.data, 'data')
      if (d.type !== 0 && d.type !== 1) throw new FieldError(`field "type" must be 0 (buy) or 1 (sell), got ${show(d.type)}`)
      const trade: Trade = {
        type: 'trade',
        exchange: 'bitstamp',
        symbol,
        id: String(tradeId(d.id, 'id')),
        // The *_str fields keep the exact decimals; the float fields may not.
        price: decimal(d.price_str, 'price_str'),
        qty: decimal(d.amount_str, 'amount_str'),
        side: d.type === 0 ? 'buy' : 'sell',
        ts: microsDigits(d.microtimestamp, 'microtimestamp'),
        recvTs,
      }
      return { kind: 'trades', trades: [trade], snapshot: false }
    }
    if (event === 'bts:subscription_succeeded') {
      const symbol = this.channelSymbol(msg.channel)
      return symbol === undefined ? { kind: 'ignored', reason: `subscribed to ${show(msg.channel)}` } : { kind: 'ack', symbols: [symbol] }
    }
    if (event === 'bts:heartbeat' || event === 'bts:unsubscription_succeeded') return { kind: 'heartbeat' }
    if (event === 'bts:request_reconnect') return { kind: 'reconnect', reason: 'Bitstamp bts:request_reconnect' }
    if (event === 'bts:error') {
      const d = typeof msg.data === 'object' && msg.data !== null ? (msg.data as Record<string, unknown>) : {}
      const symbol = this.channelSymbol(msg.channel)
      const error = new FeedError(
        'SUBSCRIPTION',
        'bitstamp',
        `server error: ${text(d.message ?? 'unknown')}; check the pair (e.g. btcusd)`,
        { frame },
      )
      return { kind: 'rejected', error, ...(symbol === undefined ? {} : { symbols: [symbol] }) }
    }
    return { kind: 'ignored', reason: `unhandled Bitstamp event ${show(event)}` }
  }
}

/**
 * `GET /api/v2/transactions/<pair>/?time=hour`: the last hour of trades, newest first, times in whole
 * seconds only (so recovered trades carry second precision). `type` 0 = buy, 1 = sell, as on the stream.
 */
function bitstampHistory(a: BitstampAdapter): HistoryApi {
  return {
    onePage: true,
    pageUrl: (rest, symbol) => `${rest}/api/v2/transactions/${a.toNative(symbol)}/?time=hour`,
    parsePage: (body, symbol, recvTs) =>
      array(JSON.parse(body), 'transactions response')
        .map((row): Trade => {
          const t = record(row, 'transaction')
          const type = typeof t.type === 'string' || typeof t.type === 'number' ? String(t.type) : ''
          if (type !== '0' && type !== '1') throw new FieldError(`field "type" must be 0 or 1, got ${show(t.type)}`)
          const date = typeof t.date === 'string' || typeof t.date === 'number' ? String(t.date) : ''
          if (!/^\d{1,12}$/.test(date)) throw new FieldError(`field "date" must be epoch seconds, got ${show(t.date)}`)
          return {
            type: 'trade',
            exchange: 'bitstamp',
            symbol,
            id: String(tradeId(t.tid, 'tid', typeof t.tid === 'string' ? 'digits' : 'number')),
            price: decimal(t.price, 'price'),
            qty: decimal(t.amount, 'amount'),
            side: type === '0' ? 'buy' : 'sell',
            ts: Number(date) * 1_000_000,
            recvTs,
          }
        })
        .sort((x, y) => Number(x.id) - Number(y.id)),
  }
}
