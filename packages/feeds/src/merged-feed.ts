import { type FeedEventMap, K2Error, type MarketEvent, type MarketEventSource } from '@k2/core'
import { EventQueue } from './event-queue.js'
import { Feed } from './feed.js'
import { FeedEmitter } from './feed-emitter.js'
import type { FeedOptions } from './feed-options.js'
import type { FeedStats } from './feed-stats.js'
import { PreIterationBuffer } from './pre-iteration-buffer.js'

const EVENTS = ['trade', 'book', 'quote', 'frame', 'dlq', 'gap', 'status', 'error'] as const

/**
 * Several feeds as one source: events of all of them (each tagged with its `exchange`), one async
 * iterator, in order per exchange and symbol. A slow consumer pauses every feed.
 */
export class MergedFeed extends FeedEmitter implements MarketEventSource {
  private queue: EventQueue<MarketEvent> | undefined
  private early: PreIterationBuffer<MarketEvent> | undefined
  private closing: Promise<void> | undefined

  constructor(
    readonly feeds: readonly Feed[],
    private readonly bufferSize = 10_000,
  ) {
    super()
    this.early = new PreIterationBuffer(bufferSize)
    for (const f of feeds) {
      f.forgoIteration()
      for (const name of EVENTS) f.on(name, (payload) => this.forward(name, payload))
    }
  }

  private forward<K extends keyof FeedEventMap>(name: K, payload: FeedEventMap[K]): void {
    this.emit(name, payload)
    if (name !== 'trade' && name !== 'book' && name !== 'quote') return
    if (this.queue) this.queue.push(payload as MarketEvent)
    else this.early?.push(payload as MarketEvent)
  }

  /** Each feed's stats, in the order the feeds were given. */
  stats(): FeedStats[] {
    return this.feeds.map((f) => f.stats())
  }

  [Symbol.asyncIterator](): AsyncIterator<MarketEvent> {
    if (this.queue !== undefined)
      throw new K2Error('VALIDATION', 'merged feeds can be iterated only once; use .on("trade", …) for more consumers')
    const pending: MarketEvent[] = []
    this.early?.handOver((ev) => pending.push(ev)) // what arrived before this call; throws if it overflowed
    this.early = undefined
    this.queue = new EventQueue<MarketEvent>(
      this.bufferSize,
      () => {
        for (const f of this.feeds) f.pauseInput()
      },
      () => {
        for (const f of this.feeds) f.resumeInput()
      },
      () => this.close(),
    )
    for (const ev of pending) this.queue.push(ev)
    if (this.closing !== undefined) this.queue.end()
    return this.queue
  }

  async close(): Promise<void> {
    this.closing ??= Promise.all(this.feeds.map((f) => f.close())).then(() => {
      this.queue?.end()
    })
    return this.closing
  }
}

/**
 * Opens several feeds (e.g. one per exchange) and merges them into one stream.
 *
 * ```ts
 * const feed = openFeeds([
 *   { exchange: 'binance', symbols: ['BTC-USDT'] },
 *   { exchange: 'coinbase', symbols: ['BTC-USD'] },
 * ])
 * for await (const t of feed) console.log(t.exchange, t.symbol, t.price)
 * ```
 */
export function openFeeds(options: readonly FeedOptions[], merged: { bufferSize?: number } = {}): MergedFeed {
  if (!Array.isArray(options) || options.length === 0) throw new K2Error('VALIDATION', 'openFeeds needs a non-empty array of feed options')
  const feeds = options.map((o) => new Feed(o))
  const m = new MergedFeed(feeds, merged.bufferSize)
  for (const f of feeds) f.start()
  return m
}
