import {
  type CanonicalSymbol,
  type Exchange,
  type Histogram,
  type K2ErrorCode,
  k2Meter,
  type Observable,
  type ObservableResult,
  type Trade,
} from '@k2/core'
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

/** Least time between two lag observations of one symbol (µs): the lag histogram samples. */
const LAG_SAMPLE_US = 10_000

/**
 * The counters a feed updates, reported as OpenTelemetry instruments under the meter `k2.feeds`.
 * The hot path only bumps numbers: the counters are observable, read when a reader collects, since a
 * synchronous SDK `add()` with attributes costs microseconds, more than parsing the trade (see
 * bench/telemetry.bench.ts). The lag histogram, which has no observable form, samples: at most one
 * trade per symbol every 10 ms.
 */
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
  private readonly tradesBySymbol = new Map<string, number>()
  private readonly errorsByCode = new Map<K2ErrorCode, number>()
  private readonly lastLagAt = new Map<string, number>()
  private readonly lag: Histogram
  private readonly unwatch: (() => void)[] = []

  constructor(exchange: Exchange, gauges: { buffered: () => number; lastMessageAgeMs: () => number; connections: () => number }) {
    const attrs = { exchange }
    this.attrs = attrs
    const meter = k2Meter('feeds')
    const watch = (instrument: Observable, read: (r: ObservableResult) => void) => {
      instrument.addCallback(read)
      this.unwatch.push(() => instrument.removeCallback(read))
    }
    const observe = (name: string, description: string, read: (r: ObservableResult) => void, unit?: string) =>
      watch(meter.createObservableCounter(name, unit ? { description, unit } : { description }), read)
    observe('k2.feeds.frames', 'frames received', (r) => r.observe(this.frames, attrs))
    observe('k2.feeds.bytes', 'bytes received', (r) => r.observe(this.bytes, attrs), 'By')
    observe('k2.feeds.trades', 'trades emitted, by symbol', (r) => {
      for (const [symbol, n] of this.tradesBySymbol) r.observe(n, { exchange, symbol })
    })
    observe('k2.feeds.reconnects', 'connections replaced', (r) => r.observe(this.reconnects, attrs))
    observe('k2.feeds.gaps', 'gaps in trade ids, by state', (r) => {
      r.observe(this.gapsFound, { exchange, state: 'open' })
      r.observe(this.gapsHealed, { exchange, state: 'healed' })
      r.observe(this.gapsUnhealed, { exchange, state: 'unhealed' })
    })
    observe('k2.feeds.dlq', 'frames sent to the dead-letter sink', (r) => r.observe(this.dlq, attrs))
    observe('k2.feeds.errors', 'errors reported, by code', (r) => {
      for (const [code, n] of this.errorsByCode) r.observe(n, { exchange, code })
    })
    // Receive time minus exchange time: network delay plus the exchange's own (and clock skew).
    this.lag = meter.createHistogram('k2.feeds.lag', {
      description: 'receive time minus exchange time of trades, sampled (at most one per symbol every 10 ms)',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] },
    })
    watch(meter.createObservableGauge('k2.feeds.connections', { description: 'open connections to the exchange' }), (r) =>
      r.observe(gauges.connections(), attrs),
    )
    watch(meter.createObservableGauge('k2.feeds.buffered', { description: 'events waiting for the consumer' }), (r) =>
      r.observe(gauges.buffered(), attrs),
    )
    watch(meter.createObservableGauge('k2.feeds.last_message_age', { description: 'time since the last frame', unit: 'ms' }), (r) =>
      r.observe(gauges.lastMessageAgeMs(), attrs),
    )
  }

  /**
   * Stops observing when the feed closes, so the meter no longer holds it (each observable keeps
   * its callbacks, and they close over the feed). OpenTelemetry's cumulative SDK still exports each
   * series' last value until another feed of the exchange reports it.
   */
  dispose(): void {
    for (const u of this.unwatch.splice(0)) u()
  }

  frame(bytes: number): void {
    this.frames++
    this.bytes += bytes
  }
  trade(t: Pick<Trade, 'symbol' | 'ts' | 'recvTs'>): void {
    this.trades++
    this.tradesBySymbol.set(t.symbol, (this.tradesBySymbol.get(t.symbol) ?? 0) + 1)
    const last = this.lastLagAt.get(t.symbol)
    if (last === undefined || t.recvTs - last >= LAG_SAMPLE_US || t.recvTs < last) {
      this.lastLagAt.set(t.symbol, t.recvTs)
      this.lag.record((t.recvTs - t.ts) / 1000, { exchange: this.attrs.exchange, symbol: t.symbol })
    }
  }
  reconnect(): void {
    this.reconnects++
  }
  gap(state: 'open' | 'healed' | 'unhealed'): void {
    if (state === 'open') this.gapsFound++
    else if (state === 'healed') this.gapsHealed++
    else this.gapsUnhealed++
  }
  deadLetter(): void {
    this.dlq++
  }
  error(code: K2ErrorCode): void {
    this.errors++
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1)
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
