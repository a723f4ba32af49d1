// Binance Spot market streams: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
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
import { binanceDepthUpdate, binanceSnapshotApi } from './binance-book.js'
import { scanBinanceTrade } from './binance-scan.js'
import { totalSnapshotApi } from './book-fields.js'
import {
  array,
  caught,
  decimal,
  FieldError,
  frameText,
  millisToMicros,
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

const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'BRL', 'AUD', 'TRY', 'GBP', 'JPY', 'DAI', 'USD']
const HOUR_MS = 3_600_000

/** Binance Spot: `@trade` (one event per trade) or `@aggTrade` (one per taker order and price), on the combined-stream endpoint. */
export class BinanceAdapter implements ExchangeAdapter, BookAdapter {
  readonly exchange = 'binance' as const
  readonly defaultUrl = 'wss://stream.binance.com:9443/stream'
  readonly defaultRestUrl = 'https://api.binance.com'
  readonly channels: readonly FeedChannel[] = ['trades', 'aggTrades']
  readonly contiguousIds = true
  readonly history: HistoryApi
  // The server pings every 20 s; our LIST_SUBSCRIPTIONS ping is answered too.
  readonly deadAfterMs = 60_000
  // Binance closes every connection after 24 h: move to a new one 10 minutes early.
  readonly maxLifetimeMs = 24 * HOUR_MS - 600_000
  private readonly map: SymbolMap
  private readonly agg: boolean

  constructor(options: AdapterOptions = {}) {
    this.agg = options.channel === 'aggTrades'
    this.map = new SymbolMap(
      options.symbols ?? [],
      (s) => s.replace('-', ''),
      (n) => splitByQuote(n, QUOTES),
    )
    this.history = this.agg ? aggTradesHistory(this) : tradesHistory(this)
    this.bookSnapshot = totalSnapshotApi(
      'binance',
      binanceSnapshotApi((s) => this.toNative(s)),
    )
  }

  /** The diff stream is the whole book; the depth asked for is the REST snapshot's `limit`. */
  readonly bookDepths = undefined
  readonly bookSnapshot: BookSnapshotApi

  bookSubscribe(symbols: readonly CanonicalSymbol[], _depth: number | undefined, reqId: number): string[] {
    return [JSON.stringify({ method: 'SUBSCRIBE', params: this.depthStreams(symbols), id: reqId })]
  }
  bookUnsubscribe(symbols: readonly CanonicalSymbol[], _depth: number | undefined, reqId: number): string[] {
    return [JSON.stringify({ method: 'UNSUBSCRIBE', params: this.depthStreams(symbols), id: reqId })]
  }
  private depthStreams(symbols: readonly CanonicalSymbol[]): string[] {
    return symbols.map((s) => `${this.toNative(s).toLowerCase()}@depth@100ms`)
  }

  parseBook(frame: string, recvTs: number): ParsedBookFrame {
    try {
      const f = frameText(frame, 'binance')
      if (!f.includes('"depthUpdate"')) return this.parse(f, recvTs)
      return parseJsonFrame('binance', f, (json) => {
        const msg = record(json, 'frame')
        const data = 'stream' in msg && 'data' in msg ? record(msg.data, 'data') : msg
        return data.e === 'depthUpdate' ? binanceDepthUpdate(data, f, recvTs, this.map) : this.parse(f, recvTs)
      })
    } catch (err) {
      return caught('binance', frame, err)
    }
  }

  toNative(symbol: CanonicalSymbol): string {
    return this.map.toNative(symbol)
  }
  toCanonical(native: string): CanonicalSymbol | undefined {
    return this.map.toCanonical(native)
  }

  subscribe(symbols: readonly CanonicalSymbol[], channel: FeedChannel, reqId: number): string[] {
    return [JSON.stringify({ method: 'SUBSCRIBE', params: this.streams(symbols, channel), id: reqId })]
  }
  unsubscribe(symbols: readonly CanonicalSymbol[], channel: FeedChannel, reqId: number): string[] {
    return [JSON.stringify({ method: 'UNSUBSCRIBE', params: this.streams(symbols, channel), id: reqId })]
  }
  ping(reqId: number): string {
    return JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: reqId })
  }

  private streams(symbols: readonly CanonicalSymbol[], channel: FeedChannel): string[] {
    const suffix = channel === 'aggTrades' ? '@aggTrade' : '@trade'
    return symbols.map((s) => `${this.toNative(s).toLowerCase()}${suffix}`)
  }

  parse(frame: string, recvTs: number): ParsedFrame {
    try {
      const f = frameText(frame, 'binance')
      return scanBinanceTrade(f, recvTs, this.map, this.agg) ?? parseJsonFrame('binance', f, (json) => this.parseMessage(json, f, recvTs))
    } catch (err) {
      return caught('binance', frame, err)
    }
  }

  private parseMessage(value: unknown, frame: string, recvTs: number): ParsedFrame {
    const msg = record(value, 'frame')
    if ('stream' in msg && 'data' in msg) return this.parsePayload(record(msg.data, 'data'), frame, recvTs)
    if ('id' in msg && ('result' in msg || 'code' in msg || 'error' in msg)) {
      const reqId = typeof msg.id === 'number' ? msg.id : undefined
      if ('result' in msg && !('error' in msg)) {
        // SUBSCRIBE/UNSUBSCRIBE answer null; LIST_SUBSCRIPTIONS (our ping) answers the list.
        return msg.result === null ? { kind: 'ack', ...(reqId === undefined ? {} : { reqId }) } : { kind: 'heartbeat' }
      }
      const err = (typeof msg.error === 'object' && msg.error !== null ? msg.error : msg) as Record<string, unknown>
      const message = `request ${text(msg.id)} refused: ${text(err.msg)} (code ${text(err.code)}); check the symbols and channel`
      const error = new FeedError('SUBSCRIPTION', 'binance', message, { frame })
      return { kind: 'rejected', error, ...(reqId === undefined ? {} : { reqId }) }
    }
    if (typeof msg.e === 'string') return this.parsePayload(msg, frame, recvTs)
    return { kind: 'ignored', reason: 'unknown Binance message' }
  }

  private parsePayload(data: Record<string, unknown>, frame: string, recvTs: number): ParsedFrame {
    const event = data.e
    if (event === 'serverShutdown') return { kind: 'reconnect', reason: 'Binance serverShutdown event' }
    if (event !== (this.agg ? 'aggTrade' : 'trade')) {
      if (event === 'trade' || event === 'aggTrade')
        return { kind: 'ignored', reason: `${event} on a ${this.agg ? 'aggTrades' : 'trades'} feed` }
      return { kind: 'ignored', reason: `unhandled Binance event ${show(event)}` }
    }
    const native = str(data.s, 's')
    const symbol = this.toCanonical(native)
    if (symbol === undefined) return protocolError('binance', `unknown symbol ${show(native)}`, frame)
    if (typeof data.m !== 'boolean') throw new FieldError(`field "m" must be a boolean, got ${show(data.m)}`)
    const trade: Trade = {
      type: 'trade',
      exchange: 'binance',
      symbol,
      id: String(tradeId(this.agg ? data.a : data.t, this.agg ? 'a' : 't')),
      price: decimal(data.p, 'p'),
      qty: decimal(data.q, 'q'),
      side: data.m ? 'sell' : 'buy',
      ts: millisToMicros(data.T, 'T'),
      recvTs,
    }
    return { kind: 'trades', trades: [trade], snapshot: false }
  }
}

/** `GET /api/v3/historicalTrades?symbol=&fromId=&limit=` (public market data). */
function tradesHistory(a: BinanceAdapter): HistoryApi {
  return {
    pageUrl: (rest, symbol, fromId, toId) =>
      `${rest}/api/v3/historicalTrades?symbol=${a.toNative(symbol)}&fromId=${fromId}&limit=${Math.min(1000, toId - fromId + 1)}`,
    parsePage: (body, symbol, recvTs) =>
      array(JSON.parse(body), 'historicalTrades response').map((row) => {
        const r = record(row, 'trade')
        if (typeof r.isBuyerMaker !== 'boolean') throw new FieldError('field "isBuyerMaker" must be a boolean')
        return restTrade(symbol, tradeId(r.id, 'id'), r.price, r.qty, r.isBuyerMaker, r.time, recvTs)
      }),
  }
}

/** `GET /api/v3/aggTrades?symbol=&fromId=&limit=`. */
function aggTradesHistory(a: BinanceAdapter): HistoryApi {
  return {
    pageUrl: (rest, symbol, fromId, toId) =>
      `${rest}/api/v3/aggTrades?symbol=${a.toNative(symbol)}&fromId=${fromId}&limit=${Math.min(1000, toId - fromId + 1)}`,
    parsePage: (body, symbol, recvTs) =>
      array(JSON.parse(body), 'aggTrades response').map((row) => {
        const r = record(row, 'aggTrade')
        if (typeof r.m !== 'boolean') throw new FieldError('field "m" must be a boolean')
        return restTrade(symbol, tradeId(r.a, 'a'), r.p, r.q, r.m, r.T, recvTs)
      }),
  }
}

function restTrade(
  symbol: CanonicalSymbol,
  id: number,
  p: unknown,
  q: unknown,
  buyerIsMaker: boolean,
  time: unknown,
  recvTs: number,
): Trade {
  return {
    type: 'trade',
    exchange: 'binance',
    symbol,
    id: String(id),
    price: decimal(p, 'price'),
    qty: decimal(q, 'qty'),
    side: buyerIsMaker ? 'sell' : 'buy',
    ts: millisToMicros(time, 'time'),
    recvTs,
  }
}
