// Kraken WebSocket v2: https://docs.kraken.com/api/docs/websocket-v2/trade
import { type CanonicalSymbol, FeedError, isSymbol, K2Error, type Trade } from '@k2/core'
import type { AdapterOptions, BookAdapter, ExchangeAdapter, FeedChannel, HistoryApi, ParsedBookFrame, ParsedFrame } from './adapter.js'
import {
  array,
  caught,
  decimal,
  FieldError,
  frameText,
  isoToMicros,
  numeric,
  parseJsonFrame,
  protocolError,
  record,
  SymbolMap,
  show,
  str,
  text,
  tradeId,
} from './fields.js'
import { KRAKEN_BOOK_DEPTHS, krakenBookMessage } from './kraken-book.js'
import { scanKrakenTrades } from './kraken-scan.js'
import { parseLossless } from './lossless-json.js'

/** Legacy asset codes (v1 and REST) to the common ones v2 uses. */
const LEGACY: Record<string, string> = {
  XBT: 'BTC',
  XDG: 'DOGE',
  XXBT: 'BTC',
  XXDG: 'DOGE',
  XETH: 'ETH',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
}
const REST_CODE: Record<string, string> = { BTC: 'XBT', DOGE: 'XDG' }

/** `BTC/USD` (v2) or `XBT/USD` (v1) to `BTC-USD`. */
export function krakenToCanonical(native: string): CanonicalSymbol | undefined {
  const slash = native.indexOf('/')
  if (slash <= 0) return undefined
  const base = native.slice(0, slash)
  const quote = native.slice(slash + 1)
  const symbol = `${(LEGACY[base] ?? base).toUpperCase()}-${(LEGACY[quote] ?? quote).toUpperCase()}`
  return isSymbol(symbol) ? symbol : undefined
}

const byId = (a: Trade, b: Trade) => Number(a.id) - Number(b.id)

/** Kraken WebSocket v2 `trade` channel. `side` is the taker side; `trade_id` is contiguous per pair. */
export class KrakenAdapter implements ExchangeAdapter, BookAdapter {
  readonly exchange = 'kraken' as const
  readonly defaultUrl = 'wss://ws.kraken.com/v2'
  readonly defaultRestUrl = 'https://api.kraken.com'
  readonly channels: readonly FeedChannel[] = ['trades']
  readonly contiguousIds = true
  readonly history: HistoryApi
  // Heartbeats arrive every second once subscribed; our pings are answered too.
  readonly deadAfterMs = 30_000
  readonly maxLifetimeMs = undefined
  private readonly map: SymbolMap

  constructor(options: AdapterOptions = {}) {
    this.map = new SymbolMap(options.symbols ?? [], (s) => s.replace('-', '/'), krakenToCanonical)
    this.history = krakenHistory(this)
  }

  toNative(symbol: CanonicalSymbol): string {
    return this.map.toNative(symbol)
  }
  toCanonical(native: string): CanonicalSymbol | undefined {
    return this.map.toCanonical(native)
  }

  subscribe(symbols: readonly CanonicalSymbol[], _channel: FeedChannel, reqId: number): string[] {
    // snapshot: true returns the last 50 trades: emitted on the first subscription, filling a short gap after a reconnect.
    return [
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'trade', symbol: symbols.map((s) => this.toNative(s)), snapshot: true },
        req_id: reqId,
      }),
    ]
  }
  unsubscribe(symbols: readonly CanonicalSymbol[], _channel: FeedChannel, reqId: number): string[] {
    return [
      JSON.stringify({ method: 'unsubscribe', params: { channel: 'trade', symbol: symbols.map((s) => this.toNative(s)) }, req_id: reqId }),
    ]
  }
  ping(reqId: number): string {
    return JSON.stringify({ method: 'ping', req_id: reqId })
  }

  readonly bookDepths: readonly number[] = KRAKEN_BOOK_DEPTHS
  /** Kraken sends its own snapshot on subscribe. */
  readonly bookSnapshot = undefined

  /** @throws K2Error('VALIDATION') for a depth Kraken does not offer (10, 25, 100, 500, 1000). */
  bookSubscribe(symbols: readonly CanonicalSymbol[], depth: number | undefined, reqId: number): string[] {
    const params = { channel: 'book', symbol: symbols.map((s) => this.toNative(s)), depth: krakenDepth(depth), snapshot: true }
    return [JSON.stringify({ method: 'subscribe', params, req_id: reqId })]
  }
  /** Kraken wants the subscribed depth repeated to unsubscribe. */
  bookUnsubscribe(symbols: readonly CanonicalSymbol[], depth: number | undefined, reqId: number): string[] {
    const params = { channel: 'book', symbol: symbols.map((s) => this.toNative(s)), depth: krakenDepth(depth) }
    return [JSON.stringify({ method: 'unsubscribe', params, req_id: reqId })]
  }

  parseBook(frame: string, recvTs: number): ParsedBookFrame {
    try {
      const f = frameText(frame, 'kraken')
      if (!f.includes('"book"')) return this.parse(f, recvTs)
      // Read losslessly: the checksum is computed on the numbers' wire text.
      const msg = record(parseLossless(f), 'frame')
      return msg.channel === 'book' && msg.method === undefined ? krakenBookMessage(msg, f, recvTs, this.map) : this.parse(f, recvTs)
    } catch (err) {
      return caught('kraken', frame, err)
    }
  }

  parse(frame: string, recvTs: number): ParsedFrame {
    try {
      const f = frameText(frame, 'kraken')
      return (
        scanKrakenTrades(f, recvTs, this.map) ?? parseJsonFrame('kraken', f, (json) => this.parseMessage(record(json, 'frame'), f, recvTs))
      )
    } catch (err) {
      return caught('kraken', frame, err)
    }
  }

  private parseMessage(msg: Record<string, unknown>, frame: string, recvTs: number): ParsedFrame {
    const channel = msg.channel
    if (channel === 'trade') {
      const type = msg.type
      if (type !== 'update' && type !== 'snapshot')
        throw new FieldError(`trade message type must be "update" or "snapshot", got ${show(type)}`)
      const trades: Trade[] = []
      for (const row of array(msg.data, 'data')) {
        const t = record(row, 'trade')
        const native = str(t.symbol, 'symbol')
        const symbol = this.toCanonical(native)
        if (symbol === undefined) return protocolError('kraken', `unknown symbol ${show(native)}`, frame)
        if (t.side !== 'buy' && t.side !== 'sell') throw new FieldError(`field "side" must be "buy" or "sell", got ${show(t.side)}`)
        trades.push({
          type: 'trade',
          exchange: 'kraken',
          symbol,
          id: String(tradeId(t.trade_id, 'trade_id')),
          price: numeric(t.price, 'price'),
          qty: numeric(t.qty, 'qty'),
          side: t.side,
          ts: isoToMicros(t.timestamp, 'timestamp'),
          recvTs,
        })
      }
      // Oldest first whatever order a snapshot lists them in (a stable sort: already sorted costs one pass).
      if (trades.length > 1) trades.sort(byId)
      return { kind: 'trades', trades, snapshot: type === 'snapshot' }
    }
    if (channel === 'heartbeat') return { kind: 'heartbeat' }
    if (channel === 'status') {
      const first = Array.isArray(msg.data) ? (msg.data[0] as Record<string, unknown> | undefined) : undefined
      const system = first?.system
      if (system === 'maintenance') return { kind: 'reconnect', reason: 'Kraken system status: maintenance' }
      return { kind: 'heartbeat' }
    }
    const method = msg.method
    if (method === 'pong') return { kind: 'heartbeat' }
    if (method === 'subscribe') {
      const reqId = typeof msg.req_id === 'number' ? msg.req_id : undefined
      const result = typeof msg.result === 'object' && msg.result !== null ? (msg.result as Record<string, unknown>) : undefined
      const native = typeof result?.symbol === 'string' ? result.symbol : typeof msg.symbol === 'string' ? msg.symbol : undefined
      const symbol = native === undefined ? undefined : this.toCanonical(native)
      const ids = { ...(reqId === undefined ? {} : { reqId }), ...(symbol === undefined ? {} : { symbols: [symbol] }) }
      if (msg.success === true) return { kind: 'ack', ...ids }
      const error = new FeedError(
        'SUBSCRIPTION',
        'kraken',
        `subscription refused: ${text(msg.error)}; check the symbol (Kraken v2 writes BTC/USD)`,
        { frame },
      )
      return { kind: 'rejected', error, ...ids }
    }
    if (method === 'unsubscribe') return { kind: 'ignored', reason: 'unsubscribe acknowledged' }
    if (typeof msg.error === 'string') return protocolError('kraken', `server error: ${msg.error}`, frame)
    return { kind: 'ignored', reason: `unhandled Kraken message ${show(channel ?? method)}` }
  }
}

function krakenDepth(depth: number | undefined): number {
  const d = depth ?? 10
  if (!(KRAKEN_BOOK_DEPTHS as readonly number[]).includes(d))
    throw new K2Error('VALIDATION', `Kraken book depth must be one of ${KRAKEN_BOOK_DEPTHS.join(', ')}, got ${d}`)
  return d
}

/** `GET /0/public/Trades?pair=XBTUSD&since=<ns>`: rows `[price, volume, time, side, type, misc, trade_id]`. */
function krakenHistory(a: KrakenAdapter): HistoryApi {
  return {
    pageUrl: (rest, symbol, _fromId, _toId, afterTs) => {
      const [base = '', quote = ''] = a.toNative(symbol).split('/')
      const pair = `${REST_CODE[base] ?? base}${REST_CODE[quote] ?? quote}`
      // `since` in nanoseconds, like the `last` cursor Kraken returns; 1 µs early so trades at afterTs itself are included.
      return `${rest}/0/public/Trades?pair=${pair}&since=${Math.max(0, afterTs - 1) * 1000}&count=1000`
    },
    parsePage: (body, symbol, recvTs) => {
      const r = record(JSON.parse(body), 'Trades response')
      const errors = array(r.error ?? [], 'error')
      if (errors.length > 0) throw new FieldError(`Kraken REST error: ${errors.map(text).join('; ')}`)
      const result = record(r.result, 'result')
      const key = Object.keys(result).find((k) => k !== 'last')
      if (key === undefined) return []
      return array(result[key], 'trades').map((row) => {
        const t = array(row, 'trade row')
        const seconds = t[2]
        if (typeof seconds !== 'number') throw new FieldError('trade time must be a number of seconds')
        return {
          type: 'trade',
          exchange: 'kraken',
          symbol,
          id: String(tradeId(t[6], 'trade_id')),
          price: decimal(t[0], 'price'),
          qty: decimal(t[1], 'volume'),
          side: t[3] === 'b' ? 'buy' : t[3] === 's' ? 'sell' : 'unknown',
          ts: Math.round(seconds * 1_000_000),
          recvTs,
        } satisfies Trade
      })
    },
  }
}
