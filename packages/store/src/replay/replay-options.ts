import {
  K2Error,
  type Micros,
  parseTimeframe,
  parseVenue,
  showValue,
  type Timeframe,
  type TimeInput,
  toMicros,
  type Venue,
  validateSymbol,
} from '@k2/core'
import { isReplayPosition, type ReplayPosition } from './replay-position.js'

/** A channel to replay: `trades`, `quotes`, `book` (snapshots and deltas), `candles` (every timeframe) or `candles:<timeframe>`. */
export type ReplayChannel = 'trades' | 'quotes' | 'book' | 'candles' | `candles:${Timeframe}`

export interface ReplayOptions {
  /** Start (inclusive): a time, or a `replay.position` to resume just after it (at that replay's snapshot). */
  from: TimeInput | ReplayPosition
  /** End (exclusive). */
  to: TimeInput
  /** Canonical symbols; every symbol when absent. */
  symbols?: readonly string[]
  /** Exchanges, or import venues such as `binance-futures` (core's `VENUES`); every one when absent. */
  exchanges?: readonly string[]
  channels: readonly ReplayChannel[]
  /** Disconnect / gap markers from bronze.coverage in the stream (`{ type: 'disconnect' }`). Default false. */
  markers?: boolean
  /** Which gold.ohlcv candles: K2's own from trades (default) or the exchange's klines. */
  candleSource?: 'trades' | 'exchange'
  /** A `replay.snapshot` token: replay the lake exactly as it was then (the same events, byte for byte). */
  snapshot?: string
  /** Chunks (of up to 2048 rows) each open file reads ahead. Default 2. */
  prefetch?: number
}

/** Options checked and normalized. */
export interface ReplayPlan {
  from: Micros
  to: Micros
  after: ReplayPosition | null
  symbols: ReadonlySet<string> | null
  exchanges: ReadonlySet<Venue> | null
  trades: boolean
  quotes: boolean
  book: boolean
  /** null: no candles; empty: every timeframe. */
  candleTimeframes: ReadonlySet<Timeframe> | null
  candleSource: 'trades' | 'exchange'
  markers: boolean
  snapshot: string | null
  prefetch: number
}

const bad = (message: string, details?: Record<string, unknown>) => new K2Error('VALIDATION', message, details ? { details } : {})

export function parseReplayOptions(opts: ReplayOptions): ReplayPlan {
  if (opts === null || typeof opts !== 'object') throw bad('lake.replay() takes an options object: { from, to, channels, symbols? }')
  const after = isReplayPosition(opts.from) ? opts.from : null
  const from = after ? after.ts : toMicros(opts.from as TimeInput)
  if (opts.to === undefined) throw bad('lake.replay() needs `to` (exclusive): a Date, an ISO-8601 string or epoch µs')
  const to = toMicros(opts.to)
  if (to <= from) throw bad(`lake.replay(): \`to\` must be after \`from\`, got from ${from} and to ${to} (epoch µs)`, { from, to })
  if (!Array.isArray(opts.channels) || opts.channels.length === 0)
    throw bad("lake.replay() needs `channels`, e.g. ['trades', 'quotes', 'book', 'candles:1m']")
  const plan: ReplayPlan = {
    from,
    to,
    after,
    symbols: opts.symbols === undefined ? null : new Set(opts.symbols.map((s) => validateSymbol(s))),
    exchanges: opts.exchanges === undefined ? null : new Set(opts.exchanges.map((e) => parseVenue(e))),
    trades: false,
    quotes: false,
    book: false,
    candleTimeframes: null,
    candleSource: opts.candleSource ?? 'trades',
    markers: opts.markers ?? false,
    snapshot: opts.snapshot ?? (after ? after.snapshot : null),
    prefetch: opts.prefetch ?? 2,
  }
  const tfs = new Set<Timeframe>()
  let allCandles = false
  for (const c of opts.channels) {
    if (c === 'trades') plan.trades = true
    else if (c === 'quotes') plan.quotes = true
    else if (c === 'book') plan.book = true
    else if (c === 'candles') allCandles = true
    else if (typeof c === 'string' && c.startsWith('candles:')) tfs.add(parseTimeframe(c.slice('candles:'.length)).timeframe)
    else throw bad(`unknown replay channel ${showValue(c)}: use trades, quotes, book, candles or candles:<timeframe> (e.g. candles:1m)`)
  }
  if (allCandles || tfs.size > 0) plan.candleTimeframes = allCandles ? new Set() : tfs
  if (plan.candleSource !== 'trades' && plan.candleSource !== 'exchange')
    throw bad(`candleSource must be 'trades' or 'exchange', got ${showValue(plan.candleSource)}`)
  if (typeof plan.markers !== 'boolean') throw bad(`markers must be true or false, got ${showValue(plan.markers)}`)
  if (!Number.isSafeInteger(plan.prefetch) || plan.prefetch < 1 || plan.prefetch > 64)
    throw bad(`prefetch must be a whole number of chunks from 1 to 64, got ${showValue(plan.prefetch)}`)
  if (after && opts.snapshot !== undefined && opts.snapshot !== after.snapshot)
    throw bad('lake.replay(): resuming from a position replays that position’s snapshot; drop `snapshot` or pass the same one', {
      position: after.snapshot,
      snapshot: opts.snapshot,
    })
  return plan
}
