import { EventEmitter } from 'node:events'
import type { FeedEventMap, FeedEventName, MarketEvent, MarketEventSource, RawFrame, Trade } from '@k2/core'
import { MICROS_PER_DAY, toIso } from '@k2/core'
import { openLake, pipe } from '@k2/store'
import { afterEach, describe, expect, it } from 'vitest'
import { makeTrades, T0, tempDir } from './helpers.js'

/**
 * A source that delivers the way a live feed does: eagerly, whether or not anyone is reading yet.
 * Events pushed before the iterator is taken are not buffered for it (like a feed whose queue is made
 * on first iteration), so the sink must take the stream before it awaits anything.
 */
class EagerSource implements MarketEventSource {
  readonly #emitter = new EventEmitter()
  #queue: MarketEvent[] | undefined
  #wake: (() => void) | undefined
  #closed = false
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.#emitter.on(event, listener)
    return this
  }
  off<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.#emitter.off(event, listener)
    return this
  }
  side<K extends FeedEventName>(event: K, payload: FeedEventMap[K]): void {
    this.#emitter.emit(event, payload)
  }
  deliver(t: Trade, frame: RawFrame): void {
    this.#emitter.emit('frame', frame)
    this.#queue?.push(t)
    this.#wake?.()
  }
  async close(): Promise<void> {
    this.#closed = true
    this.#wake?.()
  }
  [Symbol.asyncIterator](): AsyncIterator<MarketEvent> {
    const queue: MarketEvent[] = []
    this.#queue = queue
    return {
      next: async () => {
        for (;;) {
          const ev = queue.shift()
          if (ev) return { value: ev, done: false }
          if (this.#closed) return { value: undefined, done: true }
          await new Promise<void>((r) => {
            this.#wake = r
          })
        }
      },
    }
  }
}

const dirs: (() => void)[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d()
})

describe('pipe with an eager source', () => {
  it('keeps events delivered while the tables are still opening', async () => {
    const { dir, cleanup } = tempDir()
    dirs.push(cleanup)
    const lake = await openLake(dir)
    const source = new EagerSource()
    const trades = makeTrades(50)
    const done = pipe(source, lake, { flushMs: 50 })
    // Delivered in the same tick as pipe() was called: before it could open a single table.
    for (const t of trades)
      source.deliver(t, { exchange: 'binance', channel: 'trade', connectionId: 1, recvTs: t.recvTs, data: JSON.stringify(t) })
    await source.close()
    const stats = await done
    expect(stats.trades).toBe(50)
    expect(stats.frames).toBe(50)
    const stored = await (await lake.table('silver.trades')).scan()
    expect(stored.map((r) => r.id).sort()).toEqual(trades.map((t) => t.id).sort())
    const frames = await (await lake.table('bronze.frames')).scan()
    expect(frames).toHaveLength(50)
    expect(Math.min(...frames.map((f) => f.recv_ts))).toBe(T0 + 1234)
    await lake.close()
  })

  it('keeps coverage on the receive clock: a trade printed before midnight and received after counts for the new day', async () => {
    const { dir, cleanup } = tempDir()
    dirs.push(cleanup)
    const lake = await openLake(dir)
    const source = new EagerSource()
    const midnight = T0 + MICROS_PER_DAY
    const trades = makeTrades(3, { symbols: ['BTC-USDT'], start: midnight - 2_000_000, stepUs: 500_000 }).map((t) => ({
      ...t,
      recvTs: midnight + 1_000 + Number(t.id),
    }))
    const done = pipe(source, lake, { flushMs: 50, clock: () => midnight + 5_000_000 })
    source.side('status', { exchange: 'binance', state: 'subscribed', ts: midnight, connectionId: 1, symbols: ['BTC-USDT'] })
    for (const t of trades) source.deliver(t, { exchange: 'binance', channel: 'trade', connectionId: 1, recvTs: t.recvTs, data: '{}' })
    await source.close()
    await done
    const day = toIso(midnight).slice(0, 10)
    const report = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day })
    expect(report.received.map((r) => [r.fromId, r.toId])).toEqual([['1', '3']])
    expect(report.received[0]?.start).toBe(midnight + 1_001)
    const before = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day: toIso(midnight - MICROS_PER_DAY).slice(0, 10) })
    expect(before.received).toEqual([])
    await lake.close()
  })
})
