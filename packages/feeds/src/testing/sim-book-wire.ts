// Each exchange's level-2 book protocol, server side, as ../shared/docs/exchanges.md describes it.
import { crc32 } from 'node:zlib'
import type { CanonicalSymbol, Exchange } from '@k2/core'
import { isoMicros, jsonOrUndefined } from './protocols/protocol.js'
import { priceText, qtyText } from './sim-true-book.js'

/** Levels as printed: `[price text, qty text]`, best first. */
export type WireLevels = [string, string][]

export interface WireBook {
  bids: WireLevels
  asks: WireLevels
}

/** A book request the simulated exchange understood. */
export interface BookRequest {
  kind: 'subscribe' | 'unsubscribe'
  natives: string[]
  reqId: number | undefined
  depth: number | undefined
}

/** What one message carries besides its levels. */
export interface BookStamp {
  symbol: CanonicalSymbol
  /** The book's version after the message (Binance: `u`), and the first version it covers (Binance: `U`). */
  version: number
  firstVersion: number
  /** Exchange time of the version, epoch µs. */
  ts: number
  /** Per-connection counter (Coinbase `sequence_num`): the caller's, incremented per frame. */
  sequence: () => number
}

export interface BookWire {
  native(symbol: CanonicalSymbol): string
  read(message: string): BookRequest | undefined
  /** Answers to a subscribe or unsubscribe, before any snapshot. */
  answers(req: BookRequest, symbols: CanonicalSymbol[], sequence: () => number, subscribed: Iterable<CanonicalSymbol>): string[]
  /** The snapshot sent on subscribe (Kraken, Coinbase); undefined where it comes from REST. */
  snapshot(stamp: BookStamp, book: WireBook): string | undefined
  /** A delta; `window` is the book after it (Kraken's checksum), `corrupt` flips the checksum. */
  delta(stamp: BookStamp, changes: WireBook, window: WireBook, corrupt: boolean): string
  /** The REST snapshot path of `native`, if the exchange has one. */
  restSymbol(path: string, query: URLSearchParams): { native: string; limit: number } | undefined
  restBody(stamp: BookStamp, book: WireBook): string
}

const pairs = (levels: WireLevels) => JSON.stringify(levels)
const objects = (levels: WireLevels) => `[${levels.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`

/** Kraken's CRC32: top 10 asks then top 10 bids, each price and qty without the point and leading zeros. */
export function krakenWireChecksum(book: WireBook): number {
  const digits = (t: string) => t.replace('.', '').replace(/^0+/, '')
  let s = ''
  for (const [p, q] of book.asks.slice(0, 10)) s += digits(p) + digits(q)
  for (const [p, q] of book.bids.slice(0, 10)) s += digits(p) + digits(q)
  return crc32(s)
}

const times = () => {
  const now = new Date().toISOString()
  return `"time_in":"${now}","time_out":"${now}"`
}

function binance(): BookWire {
  const native = (s: CanonicalSymbol) => s.replace('-', '')
  const SUFFIX = '@depth@100ms'
  return {
    native,
    read(message) {
      const m = jsonOrUndefined(message)
      const params = Array.isArray(m?.params) ? m.params : []
      if ((m?.method !== 'SUBSCRIBE' && m?.method !== 'UNSUBSCRIBE') || params.length === 0) return undefined
      if (!params.every((p) => typeof p === 'string' && p.endsWith(SUFFIX))) return undefined
      return {
        kind: m.method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe',
        natives: params.map((p) => (p as string).slice(0, -SUFFIX.length).toUpperCase()),
        reqId: typeof m.id === 'number' ? m.id : undefined,
        depth: undefined,
      }
    },
    answers: (req) => [JSON.stringify({ result: null, id: req.reqId ?? null })],
    snapshot: () => undefined,
    delta: (st, c) => {
      const n = native(st.symbol)
      return `{"stream":"${n.toLowerCase()}${SUFFIX}","data":{"e":"depthUpdate","E":${Math.floor(st.ts / 1000)},"s":"${n}","U":${st.firstVersion},"u":${st.version},"b":${pairs(c.bids)},"a":${pairs(c.asks)}}}`
    },
    restSymbol: (path, q) =>
      path === '/api/v3/depth' ? { native: q.get('symbol') ?? '', limit: Number(q.get('limit') ?? 100) } : undefined,
    restBody: (st, b) => `{"lastUpdateId":${st.version},"bids":${pairs(b.bids)},"asks":${pairs(b.asks)}}`,
  }
}

function kraken(): BookWire {
  const native = (s: CanonicalSymbol) => s.replace('-', '/')
  const row = (st: BookStamp, b: WireBook, checksum: number) =>
    `{"symbol":"${native(st.symbol)}","bids":${objects(b.bids)},"asks":${objects(b.asks)},"checksum":${checksum},"timestamp":"${isoMicros(st.ts)}"}`
  return {
    native,
    read(message) {
      const m = jsonOrUndefined(message)
      const params = (m?.params ?? {}) as Record<string, unknown>
      if ((m?.method !== 'subscribe' && m?.method !== 'unsubscribe') || params.channel !== 'book') return undefined
      return {
        kind: m.method,
        natives: Array.isArray(params.symbol) ? params.symbol.filter((s): s is string => typeof s === 'string') : [],
        reqId: typeof m.req_id === 'number' ? m.req_id : undefined,
        depth: typeof params.depth === 'number' ? params.depth : 10,
      }
    },
    answers: (req, symbols) =>
      symbols.map(
        (s) =>
          `{"method":"${req.kind}","result":{"channel":"book","depth":${req.depth ?? 10},${req.kind === 'subscribe' ? '"snapshot":true,' : ''}"symbol":"${native(s)}"},"success":true,${times()}${req.reqId === undefined ? '' : `,"req_id":${req.reqId}`}}`,
      ),
    // The simulator stamps snapshots too (Kraken may not), so a test can find the true book of each one.
    snapshot: (st, b) => `{"channel":"book","type":"snapshot","data":[${row(st, b, krakenWireChecksum(b))}]}`,
    delta: (st, c, window, corrupt) =>
      `{"channel":"book","type":"update","data":[${row(st, c, (krakenWireChecksum(window) ^ (corrupt ? 1 : 0)) >>> 0)}]}`,
    restSymbol: () => undefined,
    restBody: () => '',
  }
}

function coinbase(): BookWire {
  const envelope = (st: { sequence: () => number }, channel: string, ts: string, events: string) =>
    `{"channel":"${channel}","client_id":"","timestamp":"${ts}","sequence_num":${st.sequence()},"events":${events}}`
  const updates = (st: BookStamp, b: WireBook) => {
    const at = isoMicros(st.ts)
    const one = (side: string, [p, q]: [string, string]) =>
      `{"side":"${side}","event_time":"${at}","price_level":"${p}","new_quantity":"${q}"}`
    return `[${[...b.bids.map((l) => one('bid', l)), ...b.asks.map((l) => one('offer', l))].join(',')}]`
  }
  return {
    native: (s) => s,
    read(message) {
      const m = jsonOrUndefined(message)
      if ((m?.type !== 'subscribe' && m?.type !== 'unsubscribe') || m.channel !== 'level2') return undefined
      const ids = Array.isArray(m.product_ids) ? m.product_ids.filter((s): s is string => typeof s === 'string') : []
      return { kind: m.type, natives: ids, reqId: undefined, depth: undefined }
    },
    answers: (_req, _symbols, sequence, subscribed) => [
      envelope(
        { sequence },
        'subscriptions',
        new Date().toISOString(),
        `[{"subscriptions":{"level2":${JSON.stringify([...subscribed])}}}]`,
      ),
    ],
    snapshot: (st, b) =>
      envelope(st, 'l2_data', isoMicros(st.ts), `[{"type":"snapshot","product_id":"${st.symbol}","updates":${updates(st, b)}}]`),
    delta: (st, c) =>
      envelope(st, 'l2_data', isoMicros(st.ts), `[{"type":"update","product_id":"${st.symbol}","updates":${updates(st, c)}}]`),
    restSymbol: () => undefined,
    restBody: () => '',
  }
}

function bitstamp(): BookWire {
  const native = (s: CanonicalSymbol) => s.replace('-', '').toLowerCase()
  const PREFIX = 'diff_order_book_'
  const body = (st: BookStamp, b: WireBook) =>
    `{"timestamp":"${Math.floor(st.ts / 1e6)}","microtimestamp":"${st.ts}","bids":${pairs(b.bids)},"asks":${pairs(b.asks)}}`
  return {
    native,
    read(message) {
      const m = jsonOrUndefined(message)
      const channel = String((m?.data as Record<string, unknown> | undefined)?.channel ?? '')
      if ((m?.event !== 'bts:subscribe' && m?.event !== 'bts:unsubscribe') || !channel.startsWith(PREFIX)) return undefined
      return {
        kind: m.event === 'bts:subscribe' ? 'subscribe' : 'unsubscribe',
        natives: [channel.slice(PREFIX.length)],
        reqId: undefined,
        depth: undefined,
      }
    },
    answers: (req, symbols) =>
      symbols.map(
        (s) =>
          `{"event":"bts:${req.kind === 'subscribe' ? 'subscription_succeeded' : 'unsubscription_succeeded'}","channel":"${PREFIX}${native(s)}","data":{}}`,
      ),
    snapshot: () => undefined,
    delta: (st, c) => `{"data":${body(st, c)},"channel":"${PREFIX}${native(st.symbol)}","event":"data"}`,
    restSymbol: (path) => {
      const m = /^\/api\/v2\/order_book\/([a-z0-9]+)\/$/.exec(path)
      return m === null ? undefined : { native: m[1] as string, limit: Number.POSITIVE_INFINITY }
    },
    restBody: body,
  }
}

export function bookWireFor(exchange: Exchange): BookWire {
  switch (exchange) {
    case 'binance':
      return binance()
    case 'kraken':
      return kraken()
    case 'coinbase':
      return coinbase()
    case 'bitstamp':
      return bitstamp()
  }
}

/** Levels of a side as printed, best first. */
export function wireSide(levels: [number, number][]): WireLevels {
  return levels.map(([tick, lots]) => [priceText(tick), qtyText(lots)])
}
