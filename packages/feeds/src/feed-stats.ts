import { type CanonicalSymbol, type Counter, type Exchange, type Histogram, type K2ErrorCode, k2Meter, type Trade } from '@k2/core'
import type { Subscriptions } from './subscriptions.js'
import type { TradeSequencer } from './trade-sequencer.js'

/** Per-symbol counters in `stats()`. */
export interface SymbolStats {
  trades: number
  duplicates: number
  gaps: number
  /** Trades fetched from history after reconnects (Bitstamp, whose ids cannot reveal gaps). */
  recovered: number
  /** First emitted trade id, if any: where this feed's coverage of the symbol starts (with a subscribe snapshot, its oldest trade). */
  firstId: string | undefined
  /** Last emitted trade id, if any. */
  lastId: string | undefined
  /** Exchange time of the last trade (epoch µs), 0 before the first. */
  lastTradeTs: number
  /** True while a gap is being fetched and later trades are held back. */
  healing: boolean
  /** Subscription state: pending, subscribed, stale or rejected. */
  subscription: string
}

/** A feed's counters, as returned by `feed.stats()`. */
export interface FeedStats {
  exchange: Exchange
  frames: number
  bytes: number
  trades: number
  duplicates: number
  reconnects: number
  gapsFound: number
  gapsHealed: number
  gapsUnhealed: number
  dlq: number
  /** Errors reported through the `error` event (failed connects, unacknowledged subscriptions, …). */
  errors: number
  historyRequests: number
  /** Events waiting in the async iterator's buffer. */
  buffered: number
  /** True while reading is paused because the consumer is behind. */
  paused: boolean
  /** Milliseconds since the last frame from the exchange (-1 before the first). */
  lastMessageAgeMs: number
  connections: number
  symbols: Record<string, SymbolStats>
}

/** The counters a feed updates, mirrored to OpenTelemetry instruments under the meter `k2.feeds`. */
export class FeedCounters {
  frames = 0
  bytes = 0
  trades = 0
  reconnects = 0
  gapsFound = 0
  gapsHealed = 0
  gapsUnhealed = 0
  dlq = 0
  errors = 0
  private readonly attrs: { exchange: Exchange }
  private readonly otel: Record<'frames' | 'bytes' | 'trades' | 'reconnects' | 'gaps' | 'dlq' | 'errors', Counter>
  private readonly lag: Histogram

  constructor(exchange: Exchange, gauges: { buffered: () => number; lastMessageAgeMs: () => number; connections: () => number }) {
    this.attrs = { exchange }
    const meter = k2Meter('feeds')
    this.otel = {
      frames: meter.createCounter('k2.feeds.frames', { description: 'frames received' }),
      bytes: meter.createCounter('k2.feeds.bytes', { description: 'bytes received', unit: 'By' }),
      trades: meter.createCounter('k2.feeds.trades', { description: 'trades emitted, by symbol' }),
      reconnects: meter.createCounter('k2.feeds.reconnects', { description: 'connections replaced' }),
      gaps: meter.createCounter('k2.feeds.gaps', { description: 'gaps in trade ids, by state' }),
      dlq: meter.createCounter('k2.feeds.dlq', { description: 'frames sent to the dead-letter sink' }),
      errors: meter.createCounter('k2.feeds.errors', { description: 'errors reported, by code' }),
    }
    // Receive time minus exchange time: network delay plus the exchange's own (and clock skew).
    this.lag = meter.createHistogram('k2.feeds.lag', {
      description: 'receive time minus exchange time of each trade',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] },
    })
    meter
      .createObservableGauge('k2.feeds.connections', { description: 'open connections to the exchange' })
      .addCallback((r) => r.observe(gauges.connections(), this.attrs))
    meter
      .createObservableGauge('k2.feeds.buffered', { description: 'events waiting for the consumer' })
      .addCallback((r) => r.observe(gauges.buffered(), this.attrs))
    meter
      .createObservableGauge('k2.feeds.last_message_age', { description: 'time since the last frame', unit: 'ms' })
      .addCallback((r) => r.observe(gauges.lastMessageAgeMs(), this.attrs))
  }

  frame(bytes: number): void {
    this.frames++
    this.bytes += bytes
    this.otel.frames.add(1, this.attrs)
    this.otel.bytes.add(bytes, this.attrs)
  }
  trade(t: Pick<Trade, 'symbol' | 'ts' | 'recvTs'>): void {
    this.trades++
    const attrs = { exchange: this.attrs.exchange, symbol: t.symbol }
    this.otel.trades.add(1, attrs)
    this.lag.record((t.recvTs - t.ts) / 1000, attrs)
  }
  reconnect(): void {
    this.reconnects++
    this.otel.reconnects.add(1, this.attrs)
  }
  gap(state: 'open' | 'healed' | 'unhealed'): void {
    if (state === 'open') this.gapsFound++
    else if (state === 'healed') this.gapsHealed++
    else this.gapsUnhealed++
    this.otel.gaps.add(1, { exchange: this.attrs.exchange, state })
  }
  deadLetter(): void {
    this.dlq++
    this.otel.dlq.add(1, this.attrs)
  }
  error(code: K2ErrorCode): void {
    this.errors++
    this.otel.errors.add(1, { exchange: this.attrs.exchange, code })
  }
}

/** Assembles `feed.stats()` from the feed's parts. */
export function buildFeedStats(f: {
  exchange: Exchange
  symbols: readonly CanonicalSymbol[]
  counters: FeedCounters
  sequencer: TradeSequencer
  subs: Subscriptions
  historyRequests: number
  buffered: number
  paused: boolean
  lastMessageAgeMs: number
  connections: number
}): FeedStats {
  const symbols: FeedStats['symbols'] = {}
  for (const s of f.symbols) {
    const st = f.sequencer.state(s)
    symbols[s] = {
      trades: st.trades,
      duplicates: st.duplicates,
      gaps: st.gaps,
      recovered: st.recovered,
      firstId: st.firstId === undefined ? undefined : String(st.firstId),
      lastId: st.lastId === undefined ? undefined : String(st.lastId),
      lastTradeTs: st.lastTs,
      healing: st.healing,
      subscription: f.subs.bySymbol.get(s)?.state ?? 'pending',
    }
  }
  const c = f.counters
  return {
    exchange: f.exchange,
    frames: c.frames,
    bytes: c.bytes,
    trades: c.trades,
    duplicates: f.sequencer.duplicates,
    reconnects: c.reconnects,
    gapsFound: c.gapsFound,
    gapsHealed: c.gapsHealed,
    gapsUnhealed: c.gapsUnhealed,
    dlq: c.dlq,
    errors: c.errors,
    historyRequests: f.historyRequests,
    buffered: f.buffered,
    paused: f.paused,
    lastMessageAgeMs: f.lastMessageAgeMs,
    connections: f.connections,
    symbols,
  }
}
