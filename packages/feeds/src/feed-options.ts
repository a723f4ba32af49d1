import {
  type CanonicalSymbol,
  type Clock,
  type Exchange,
  K2Error,
  type Logger,
  parseDuration,
  parseExchange,
  silentLogger,
  systemClock,
  validateSymbol,
} from '@k2/core'
import type { FeedChannel } from './adapters/adapter.js'
import type { IntervalSnapshotOptions } from './book/interval-snapshots.js'
import type { Transport } from './connection.js'

/** Options of `openFeed`. Every time is in milliseconds; every default suits the real exchange. */
export interface FeedOptions {
  exchange: Exchange
  /** Canonical symbols, e.g. `['BTC-USDT']`. */
  symbols: readonly string[]
  /**
   * `['trades']` (default) or, on Binance, `['aggTrades']`; add `'book'` for the level-2 book (`['trades',
   * 'book']`, or `['book']` alone): `book` events (snapshots and deltas that passed every check), `quote`
   * events on top-of-book change and `desync` events when a book is found wrong and resynchronized.
   */
  channels?: readonly (FeedChannel | 'book')[]
  /**
   * Book depth: Kraken's subscription depth (10, 25, 100, 500 or 1000; default 10), Binance's REST
   * snapshot limit (default 1000, at most 5000). Coinbase and Bitstamp stream the whole book.
   */
  depth?: number
  /**
   * Top-N book snapshots on an interval (needs the `book` channel), like tardis-dev's `book_snapshot_25_1s`:
   * `{ every: '1s', depth: 25 }` adds a `book_snapshot` event with `interval: '1s'` for every interval of
   * exchange time (a grid from the epoch) that had deltas, stamped with the interval's end and holding the
   * top `depth` levels per side after exactly the deltas stamped before it. None while a book is resyncing.
   */
  bookSnapshots?: { every: string | number; depth: number }
  /** WebSocket URL override (the simulator, a proxy). */
  url?: string
  /** REST base URL override, for trade history. */
  restUrl?: string
  /** Source of time (epoch µs) for receive times and watchdogs. */
  clock?: Clock
  logger?: Logger
  /** Events the async iterator buffers before reading pauses (default 10,000). */
  bufferSize?: number
  /** Fetch missing trades from REST history (default true where the exchange has one). */
  heal?: boolean
  /** Least time between history requests (default 250). */
  historyMinIntervalMs?: number
  /** Retries per history request (default 5) and the first retry delay (default 1,000). */
  historyRetries?: number
  historyRetryMinMs?: number
  /** Reconnect backoff: exponential from `minMs` (1 s) to `maxMs` (128 s) with jitter. */
  backoff?: { minMs?: number; maxMs?: number }
  /** A connection that lived this long resets the backoff (default 60,000). */
  healthyAfterMs?: number
  /** Connect timeout (default 10,000). */
  connectTimeoutMs?: number
  /** A subscription not acknowledged in this time fails the connection (default 10,000). */
  subscribeTimeoutMs?: number
  /** Application ping interval where the protocol has one (default 15,000). */
  pingIntervalMs?: number
  /** Silence after which a connection is declared dead and replaced (default: the exchange's keep-alive bound). */
  deadAfterMs?: number
  /** A subscribed symbol with no trades for this long is reported `stale` and renewed (default 600,000). */
  staleAfterMs?: number
  /** Move to a new connection after this age (default: the exchange's limit, Binance 24 h). */
  maxLifetimeMs?: number
  /** Watchdog resolution (default 1,000). */
  tickMs?: number
  /** WebSocket implementation: `auto` (default: `ws` on Node, the global `WebSocket` elsewhere), `ws` or `native`. */
  transport?: Transport
}

export interface ResolvedFeedOptions {
  exchange: Exchange
  symbols: CanonicalSymbol[]
  /** The trade channel (`trades` when only the book is asked for: the adapter reads trade frames by it). */
  channel: FeedChannel
  /** Whether trades are subscribed to. */
  trades: boolean
  /** Whether the level-2 book is subscribed to. */
  book: boolean
  depth: number | undefined
  bookSnapshots: IntervalSnapshotOptions | undefined
  url: string | undefined
  restUrl: string | undefined
  clock: Clock
  logger: Logger
  bufferSize: number
  heal: boolean
  historyMinIntervalMs: number
  historyRetries: number
  historyRetryMinMs: number
  backoffMinMs: number
  backoffMaxMs: number
  healthyAfterMs: number
  connectTimeoutMs: number
  subscribeTimeoutMs: number
  pingIntervalMs: number
  deadAfterMs: number | undefined
  staleAfterMs: number
  maxLifetimeMs: number | undefined
  tickMs: number
  transport: Transport
}

function transport(value: unknown): Transport {
  if (value === undefined) return 'auto'
  if (value === 'auto' || value === 'ws' || value === 'native') return value
  throw new K2Error('VALIDATION', `option transport must be "auto", "ws" or "native", got ${JSON.stringify(value)}`)
}

const KRAKEN_DEPTHS = [10, 25, 100, 500, 1000]

function bookDepth(exchange: Exchange, depth: number | undefined): number | undefined {
  if (depth === undefined) return exchange === 'kraken' ? 10 : exchange === 'binance' ? 1000 : undefined
  if (exchange === 'kraken' && !KRAKEN_DEPTHS.includes(depth))
    throw new K2Error('VALIDATION', `option depth on kraken must be one of ${KRAKEN_DEPTHS.join(', ')}, got ${depth}`)
  if (!Number.isSafeInteger(depth) || depth < 1 || (exchange === 'binance' && depth > 5000))
    throw new K2Error('VALIDATION', `option depth must be an integer from 1${exchange === 'binance' ? ' to 5000' : ''}, got ${depth}`)
  return depth
}

function bookSnapshots(o: FeedOptions['bookSnapshots'], book: boolean, depth: number | undefined): IntervalSnapshotOptions | undefined {
  if (o === undefined) return undefined
  const example = "e.g. { every: '1s', depth: 25 }"
  if (typeof o !== 'object' || o === null) throw new K2Error('VALIDATION', `option bookSnapshots must be an object, ${example}`)
  if (!book) throw new K2Error('VALIDATION', 'option bookSnapshots needs the book channel: add "book" to channels')
  let every: number
  try {
    every = parseDuration(o.every)
  } catch {
    every = 0
  }
  if (every <= 0)
    throw new K2Error(
      'VALIDATION',
      `option bookSnapshots.every must be a positive duration such as '100ms', '1s' or '1m' (or µs as a number), got ${JSON.stringify(o.every)}`,
    )
  const most = depth ?? Number.MAX_SAFE_INTEGER
  if (!Number.isSafeInteger(o.depth) || o.depth < 1 || o.depth > most)
    throw new K2Error(
      'VALIDATION',
      `option bookSnapshots.depth must be an integer from 1${depth === undefined ? '' : ` to ${depth} (the book's depth option)`}, got ${JSON.stringify(o.depth)}`,
    )
  return { every, depth: o.depth, interval: typeof o.every === 'string' ? o.every : `${o.every}us` }
}

function ms(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new K2Error('VALIDATION', `option ${name} must be a non-negative number of milliseconds, got ${String(value)}`)
  return value
}

/** Checks options and fills defaults; throws `K2Error('VALIDATION')` naming the bad option. */
export function resolveFeedOptions(o: FeedOptions): ResolvedFeedOptions {
  if (typeof o !== 'object' || o === null) throw new K2Error('VALIDATION', 'openFeed needs an options object: { exchange, symbols }')
  const exchange = parseExchange(o.exchange)
  if (!Array.isArray(o.symbols) || o.symbols.length === 0)
    throw new K2Error('VALIDATION', 'option symbols must be a non-empty array of canonical symbols, e.g. ["BTC-USDT"]')
  const symbols = [...new Set(o.symbols.map((s) => validateSymbol(s)))]
  const channels = o.channels ?? ['trades']
  const book = Array.isArray(channels) && channels.includes('book')
  const tradeChannels = Array.isArray(channels) ? channels.filter((c) => c !== 'book') : []
  const channel = tradeChannels[0] ?? 'trades'
  if (
    !Array.isArray(channels) ||
    tradeChannels.length > 1 ||
    (tradeChannels.length === 0 && !book) ||
    new Set(channels).size !== channels.length ||
    (channel !== 'trades' && channel !== 'aggTrades')
  )
    throw new K2Error(
      'VALIDATION',
      `option channels must be ["trades"], ["aggTrades"], either with "book", or ["book"]; got ${JSON.stringify(channels)}`,
    )
  if (channel === 'aggTrades' && exchange !== 'binance')
    throw new K2Error('VALIDATION', `channel "aggTrades" exists only on binance, not ${exchange}; use ["trades"]`)
  for (const [name, v] of [
    ['url', o.url],
    ['restUrl', o.restUrl],
  ] as const) {
    if (v !== undefined && (typeof v !== 'string' || !/^(wss?|https?):\/\//.test(v)))
      throw new K2Error('VALIDATION', `option ${name} must be a ws://, wss://, http:// or https:// URL, got ${JSON.stringify(v)}`)
  }
  const bufferSize = o.bufferSize ?? 10_000
  if (!Number.isSafeInteger(bufferSize) || bufferSize < 2)
    throw new K2Error('VALIDATION', `option bufferSize must be an integer >= 2, got ${bufferSize}`)
  const depth = bookDepth(exchange, o.depth)
  return {
    exchange,
    symbols,
    channel,
    trades: tradeChannels.length > 0,
    book,
    depth,
    bookSnapshots: bookSnapshots(o.bookSnapshots, book, depth),
    url: o.url,
    restUrl: o.restUrl,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? silentLogger,
    bufferSize,
    heal: o.heal ?? true,
    historyMinIntervalMs: ms(o.historyMinIntervalMs, 'historyMinIntervalMs', 250),
    historyRetries: ms(o.historyRetries, 'historyRetries', 5),
    historyRetryMinMs: ms(o.historyRetryMinMs, 'historyRetryMinMs', 1000),
    backoffMinMs: ms(o.backoff?.minMs, 'backoff.minMs', 1000),
    backoffMaxMs: ms(o.backoff?.maxMs, 'backoff.maxMs', 128_000),
    healthyAfterMs: ms(o.healthyAfterMs, 'healthyAfterMs', 60_000),
    connectTimeoutMs: ms(o.connectTimeoutMs, 'connectTimeoutMs', 10_000),
    subscribeTimeoutMs: ms(o.subscribeTimeoutMs, 'subscribeTimeoutMs', 10_000),
    pingIntervalMs: ms(o.pingIntervalMs, 'pingIntervalMs', 15_000),
    deadAfterMs: o.deadAfterMs === undefined ? undefined : ms(o.deadAfterMs, 'deadAfterMs', 0),
    staleAfterMs: ms(o.staleAfterMs, 'staleAfterMs', 600_000),
    maxLifetimeMs: o.maxLifetimeMs === undefined ? undefined : ms(o.maxLifetimeMs, 'maxLifetimeMs', 0),
    tickMs: ms(o.tickMs, 'tickMs', 1000),
    transport: transport(o.transport),
  }
}
