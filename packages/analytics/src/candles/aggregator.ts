import {
  type CanonicalSymbol,
  type Exchange,
  type FeedStatus,
  type Gap,
  K2Error,
  type Micros,
  type ParsedTimeframe,
  parseTimeframe,
  type Timeframe,
  type Trade,
} from '@k2/core'
import type { BucketKey } from './bucket.js'
import { Coverage } from './coverage.js'
import { Timeline, type TimelineHost } from './timeline.js'
import type { EmptyCandle, OhlcvCandle, StreamCandle, StreamOptions, StreamStats } from './types.js'
import { badTrade, isValidTrade } from './validate.js'

/** A trade as the aggregator needs it (a `Trade` from a feed fits). */
export type StreamTrade = Pick<Trade, 'exchange' | 'symbol' | 'ts' | 'id' | 'price' | 'qty' | 'side'>

interface KeyState {
  exchange: string
  symbol: string
  lastTs: Micros
  timelines: Timeline[]
}

/**
 * The streaming aggregator: trades in (any order within `allowedLateness`), candles out when their
 * bucket closes in exchange time, corrections when a late trade or a coverage change revises one.
 * Each call returns what it emitted. `ohlcv(feed, …)` drives one; use it directly to push trades from
 * elsewhere.
 *
 * @example
 * const agg = new CandleAggregator(['1m', '5m'], { allowedLateness: 2_000_000 })
 * for (const t of trades) for (const c of agg.push(t)) upsert(c) // a correction replaces by revision
 * for (const c of agg.flush()) upsert(c)
 */
export class CandleAggregator {
  readonly stats: StreamStats = { trades: 0, late: 0, corrections: 0, emitted: 0 }
  private readonly timeframes: ParsedTimeframe[]
  private readonly keys = new Map<string, KeyState>()
  private readonly coverage: Coverage
  private readonly host: TimelineHost
  private out: Array<StreamCandle<OhlcvCandle | EmptyCandle>> = []
  private last: KeyState | undefined

  constructor(
    timeframes: Timeframe | readonly Timeframe[],
    private readonly options: StreamOptions = {},
  ) {
    const list = typeof timeframes === 'string' ? [timeframes] : timeframes
    if (list.length === 0) throw new K2Error('VALIDATION', 'ohlcv: no timeframe given; pass one such as "1m", or a list')
    this.timeframes = list.map(parseTimeframe)
    const lateness = options.allowedLateness ?? 0
    if (!Number.isSafeInteger(lateness) || lateness < 0)
      throw new K2Error('VALIDATION', `ohlcv: allowedLateness must be a whole number of µs ≥ 0, got ${lateness}`)
    checkOffset(options.offset)
    this.coverage = new Coverage(options.gaps)
    this.host = {
      emit: (c) => {
        this.stats.emitted++
        if (c.revision > 0) this.stats.corrections++
        this.out.push(c)
      },
      covers: (key, start, end) => this.coverage.covers(key.exchange, key.symbol, start, end),
    }
  }

  /** Adds one trade; returns the candles it closed or revised. */
  push(trade: StreamTrade): readonly StreamCandle<OhlcvCandle | EmptyCandle>[] {
    const { ts, price, qty } = trade
    this.stats.trades++
    if (!isValidTrade(ts, price, qty))
      throw badTrade(`trade #${this.stats.trades} (${trade.exchange} ${trade.symbol} id ${trade.id})`, ts, price, qty)
    const k = this.keyOf(trade.exchange, trade.symbol)
    const id = trade.id ?? ''
    if (this.coverage.observe(k.exchange, k.symbol, ts, id)) this.syncKey(k)
    if (ts > k.lastTs) k.lastTs = ts
    const isBuy = trade.side === 'buy'
    for (const tl of k.timelines) {
      const start = tl.startOf(ts)
      if (tl.isFinal(start)) {
        this.stats.late++
        this.options.onLate?.(trade as Trade, { timeframe: tl.key.timeframe, bucketStart: start, watermark: tl.watermark })
      } else tl.add(start, ts, id, price, qty, isBuy)
    }
    return this.drain()
  }

  /** A feed's status change: a disconnect marks candles incomplete until the next `subscribed`. */
  status(s: FeedStatus): readonly StreamCandle<OhlcvCandle | EmptyCandle>[] {
    if (this.coverage.onStatus(s)) for (const k of this.keys.values()) if (k.exchange === s.exchange) this.syncKey(k)
    return this.drain()
  }

  /** A feed's trade-id gap: candles around it are incomplete unless it is healed. */
  gap(g: Gap): readonly StreamCandle<OhlcvCandle | EmptyCandle>[] {
    const k = this.keyOf(g.exchange, g.symbol)
    if (this.coverage.onGap(g, k.lastTs)) this.syncKey(k)
    return this.drain()
  }

  /** Emits every candle still open (the source ended); the aggregator is empty afterwards. */
  flush(): readonly StreamCandle<OhlcvCandle | EmptyCandle>[] {
    for (const k of this.keys.values()) for (const tl of k.timelines) tl.flush()
    return this.drain()
  }

  private syncKey(k: KeyState): void {
    for (const tl of k.timelines) tl.sync()
  }

  private drain(): readonly StreamCandle<OhlcvCandle | EmptyCandle>[] {
    if (this.out.length === 0) return NOTHING
    const out = this.out
    this.out = []
    return out
  }

  private keyOf(exchange: string, symbol: string): KeyState {
    const last = this.last
    if (last !== undefined && last.exchange === exchange && last.symbol === symbol) return last
    const name = `${exchange}\u0000${symbol}`
    let k = this.keys.get(name)
    if (k === undefined) {
      const lateness = this.options.allowedLateness ?? 0
      const fill = this.options.fill ?? 'none'
      const timelines = this.timeframes.map((tf) => {
        const key: BucketKey = { exchange: exchange as Exchange, symbol: symbol as CanonicalSymbol, timeframe: tf.timeframe }
        return new Timeline(key, tf, this.options.offset ?? 0, lateness, fill, this.host)
      })
      k = { exchange, symbol, lastTs: Number.NEGATIVE_INFINITY, timelines }
      this.keys.set(name, k)
    }
    this.last = k
    return k
  }
}

const NOTHING: readonly never[] = Object.freeze([])

export function checkOffset(offset: unknown): void {
  if (offset !== undefined && !Number.isSafeInteger(offset))
    throw new K2Error('VALIDATION', `ohlcv: offset must be a whole number of µs, got ${String(offset)}`)
}
