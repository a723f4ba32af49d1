import type { FeedStatus, Gap, MarketEvent, MarketEventSource, Timeframe } from '@k2/core'
import { CandleAggregator, type StreamTrade } from './aggregator.js'
import type { EmptyCandle, OhlcvCandle, StreamCandle, StreamOptions, StreamStats } from './types.js'

/**
 * Live candles from an async source of market events (a feed, a replay): each candle is yielded when
 * its bucket closes in exchange time, corrections as they happen, the open candles when the source
 * ends. When the source is also an event emitter (`MarketEventSource`), its `status` and `gap`
 * events set `complete`.
 */
export class CandleStream<C extends OhlcvCandle | EmptyCandle = OhlcvCandle> implements AsyncIterable<StreamCandle<C>> {
  private aggregator: CandleAggregator
  private used = false

  constructor(
    private readonly source: AsyncIterable<MarketEvent | StreamTrade>,
    private readonly timeframes: Timeframe | readonly Timeframe[],
    private readonly options: StreamOptions,
  ) {
    // validate now, not at the first pull: a bad timeframe should fail where ohlcv() was called
    this.aggregator = new CandleAggregator(timeframes, options)
  }

  /** Counts of the current (or last) iteration: trades, late trades, corrections, candles emitted. */
  get stats(): StreamStats {
    return this.aggregator.stats
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamCandle<C>> {
    // each iteration starts afresh (and re-reads the source, if it can be read twice)
    if (this.used) this.aggregator = new CandleAggregator(this.timeframes, this.options)
    this.used = true
    const agg = this.aggregator
    const pending: Array<StreamCandle<OhlcvCandle | EmptyCandle>> = []
    const emitter = isEmitter(this.source) ? this.source : undefined
    const onStatus = (s: FeedStatus) => pending.push(...agg.status(s))
    const onGap = (g: Gap) => pending.push(...agg.gap(g))
    emitter?.on('status', onStatus)
    emitter?.on('gap', onGap)
    try {
      for await (const event of this.source) {
        if ('type' in event && event.type !== 'trade') continue
        const out = agg.push(event as StreamTrade)
        if (pending.length > 0) yield* drain(pending)
        for (const c of out) yield c as StreamCandle<C>
      }
      yield* drain(pending)
      for (const c of agg.flush()) yield c as StreamCandle<C>
    } finally {
      emitter?.off('status', onStatus)
      emitter?.off('gap', onGap)
    }
  }
}

function* drain<C extends OhlcvCandle | EmptyCandle>(pending: Array<StreamCandle<OhlcvCandle | EmptyCandle>>): Generator<StreamCandle<C>> {
  while (pending.length > 0) yield pending.shift() as StreamCandle<C>
}

function isEmitter(source: unknown): source is MarketEventSource {
  return typeof (source as MarketEventSource).on === 'function' && typeof (source as MarketEventSource).off === 'function'
}
