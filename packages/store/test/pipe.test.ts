import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import type { DeadLetter, FeedEventMap, FeedEventName, FeedStatus, Gap, MarketEvent, MarketEventSource, RawFrame, Trade } from '@k2/core'
import { MICROS_PER_DAY, MICROS_PER_HOUR } from '@k2/core'
import { type Lake, openLake, pipe } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, T0, tempDir } from './helpers.js'

type Step = { event: MarketEvent } | { side: FeedEventName; payload: FeedEventMap[FeedEventName] }

/**
 * A small real event source: an async generator over a script of steps, plus an emitter for the
 * side channel — the same contract (`MarketEventSource`) a live Feed implements.
 */
class ScriptedSource implements MarketEventSource {
  readonly #emitter = new EventEmitter()
  #closed = false
  #idle: () => void = () => {}
  /** Resolves once every scripted step was delivered and the source idles like a live feed. */
  readonly idle = new Promise<void>((r) => {
    this.#idle = r
  })
  constructor(
    private readonly steps: Step[],
    private readonly hold = false,
  ) {}
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.#emitter.on(event, listener)
    return this
  }
  off<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.#emitter.off(event, listener)
    return this
  }
  async close(): Promise<void> {
    this.#closed = true
    this.#emitter.emit('wake')
  }
  async *[Symbol.asyncIterator](): AsyncIterator<MarketEvent> {
    for (const step of this.steps) {
      if (this.#closed) return
      await new Promise((r) => setImmediate(r))
      if ('event' in step) yield step.event
      else this.#emitter.emit(step.side, step.payload)
    }
    // a live feed stays open until closed
    this.#idle()
    if (this.hold && !this.#closed) await new Promise((r) => this.#emitter.once('wake', r))
  }
}

const status = (state: FeedStatus['state'], ts: number, connectionId: number, symbols?: string[]): Step => ({
  side: 'status',
  payload: { exchange: 'binance', state, ts, connectionId, ...(symbols ? { symbols } : {}) } as FeedStatus,
})
const frame = (t: Trade, connectionId: number): Step => ({
  side: 'frame',
  payload: {
    exchange: 'binance',
    channel: 'trade',
    recvTs: t.recvTs,
    connectionId,
    data: JSON.stringify({ e: 'trade', t: Number(t.id) }),
  } as RawFrame,
})

describe('pipe(feed, lake)', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    lake = await openLake(join(dir, 'lake'))
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  it('writes frames, dead letters, deduplicated trades, books and coverage; answers "is the day complete?"', async () => {
    const day = T0
    const trades = makeTrades(200, { symbols: ['BTC-USDT'], start: day + MICROS_PER_HOUR, stepUs: 60_000_000 })
    const first = trades.slice(0, 120)
    const replay = trades.slice(100) // after the reconnect the exchange resends 100..119
    const dlq: DeadLetter = {
      exchange: 'binance',
      recvTs: day + 2 * MICROS_PER_HOUR,
      raw: '{"e":"trade",',
      errorCode: 'PROTOCOL',
      errorMessage: 'truncated JSON',
    }
    const gap: Gap = {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      fromId: '500',
      toId: '510',
      detectedTs: day + 5 * MICROS_PER_HOUR,
      state: 'open',
    }
    const steps: Step[] = [
      status('connected', day, 1),
      status('subscribed', day, 1, ['BTC-USDT']),
      ...first.flatMap((t) => [frame(t, 1), { event: t }]),
      { side: 'dlq', payload: dlq },
      status('disconnected', day + 6 * MICROS_PER_HOUR, 1),
      status('connected', day + 6 * MICROS_PER_HOUR, 2),
      status('subscribed', day + 6 * MICROS_PER_HOUR, 2, ['BTC-USDT']),
      { side: 'gap', payload: gap },
      { side: 'gap', payload: { ...gap, state: 'healed', healedBy: 'rest' } },
      ...replay.flatMap((t) => [frame(t, 2), { event: t }]),
      {
        event: {
          type: 'book_snapshot',
          exchange: 'binance',
          symbol: 'BTC-USDT',
          ts: day + 7 * MICROS_PER_HOUR,
          recvTs: day + 7 * MICROS_PER_HOUR,
          bids: [
            [100, 1],
            [99, 2],
          ],
          asks: [[101, 1]],
          sequence: 5,
        },
      },
      status('disconnected', day + MICROS_PER_DAY, 2),
    ]
    const stats = await pipe(new ScriptedSource(steps), lake, { flushRows: 50, flushMs: 0, clock: () => day + MICROS_PER_DAY })
    expect(stats).toMatchObject({ frames: 220, deadLetters: 1, trades: 220, duplicateTrades: 20, bookUpdates: 1, gaps: 2 })
    const rows = await (await lake.table('silver.trades')).scan()
    expect(rows).toHaveLength(200)
    expect(new Set(rows.map((r) => r.id)).size).toBe(200)
    expect(await (await lake.table('bronze.frames')).scan()).toHaveLength(220)
    expect((await (await lake.table('bronze.dlq')).scan())[0]).toMatchObject({ raw: dlq.raw, error_code: 'PROTOCOL' })
    const book = await (await lake.table('silver.book')).scan()
    expect(book.map((b) => [b.side, b.price, b.qty, b.kind, b.sequence])).toEqual([
      ['bid', 100, 1, 'snapshot', 5],
      ['bid', 99, 2, 'snapshot', 5],
      ['ask', 101, 1, 'snapshot', 5],
    ])
    const report = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day: '2024-01-31' })
    expect(report).toMatchObject({ day: '2024-01-31', complete: true, coveredMicros: MICROS_PER_DAY, uncovered: [] })
    expect(report.gaps).toEqual([{ fromId: '500', toId: '510', state: 'healed', healedBy: 'rest', detectedTs: gap.detectedTs }])
    expect(report.received.map((r) => [r.fromId, r.toId])).toEqual([
      ['1', '120'],
      ['101', '200'],
    ])
  })

  it('a day with a subscription hole or an unhealed gap is not complete, and says where', async () => {
    const day = T0
    const steps: Step[] = [
      status('subscribed', day, 1, ['BTC-USDT']),
      status('disconnected', day + 10 * MICROS_PER_HOUR, 1),
      status('subscribed', day + 11 * MICROS_PER_HOUR, 2, ['BTC-USDT']),
      {
        side: 'gap',
        payload: {
          exchange: 'binance',
          symbol: 'BTC-USDT',
          fromId: '7',
          toId: '9',
          detectedTs: day + 12 * MICROS_PER_HOUR,
          state: 'unhealed',
          reason: 'REST history unavailable',
        },
      },
    ]
    await pipe(new ScriptedSource(steps), lake, { flushMs: 0, clock: () => day + MICROS_PER_DAY })
    const report = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day: day })
    expect(report.complete).toBe(false)
    expect(report.uncovered).toEqual([[day + 10 * MICROS_PER_HOUR, day + 11 * MICROS_PER_HOUR]])
    expect(report.gaps.map((g) => g.state)).toEqual(['unhealed'])
    const other = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day: day + MICROS_PER_DAY })
    expect(other).toMatchObject({ complete: false, coveredMicros: 0 })
  })

  it('stops when the AbortSignal fires and commits everything received before', async () => {
    const trades = makeTrades(30)
    const source = new ScriptedSource(
      trades.map((t) => ({ event: t })),
      true,
    )
    const controller = new AbortController()
    const done = pipe(source, lake, { signal: controller.signal, flushMs: 0 })
    const t = await lake.table('silver.trades')
    await source.idle // everything delivered; the source now waits like a live feed would
    controller.abort()
    const stats = await done
    expect(stats.trades).toBe(30)
    expect(await t.scan()).toHaveLength(30)
  })

  it('checkpoints coverage with each trade commit, while the feed is still running', async () => {
    const day = T0
    const trades = makeTrades(60, { symbols: ['BTC-USDT'], start: day + MICROS_PER_HOUR, stepUs: 60_000_000 })
    const source = new ScriptedSource([status('subscribed', day, 1, ['BTC-USDT']), ...trades.map((t) => ({ event: t }))], true)
    const controller = new AbortController()
    const done = pipe(source, lake, { signal: controller.signal, flushRows: 25, flushMs: 0 })
    await source.idle
    // 50 trades are committed (two flushes of 25); the coverage up to them is already in the lake
    const cov = await lake.table('bronze.coverage')
    let rows: Awaited<ReturnType<typeof cov.scan>> = []
    for (let i = 0; i < 800 && !rows.some((r) => r.kind === 'received' && r.to_id === '49'); i++) {
      await new Promise((r) => setTimeout(r, 25))
      rows = await cov.scan()
    }
    expect(rows.filter((r) => r.kind === 'subscribed').length).toBeGreaterThan(0)
    expect(rows.some((r) => r.kind === 'received' && r.from_id === '1')).toBe(true)
    controller.abort()
    await done
    const report = await lake.coverage({ exchange: 'binance', symbol: 'BTC-USDT', day })
    expect(report.received.map((r) => [r.fromId, r.toId])).toEqual([['1', '60']])
  })

  it('a trade that fails the table schema goes to bronze.dlq instead of stopping the pipe', async () => {
    const [good, bad] = makeTrades(2)
    const broken = { ...(bad as Trade), ts: 0.5 }
    await pipe(new ScriptedSource([{ event: good as Trade }, { event: broken }]), lake, { flushMs: 0 })
    expect(await (await lake.table('silver.trades')).scan()).toHaveLength(1)
    const dlq = await (await lake.table('bronze.dlq')).scan()
    expect(dlq).toHaveLength(1)
    expect(dlq[0]?.error_code).toBe('VALIDATION')
  })
})

describe('dedup across writers', () => {
  it('two writers in one process appending overlapping trades concurrently keep each trade once', async () => {
    const { dir, cleanup } = tempDir()
    const lake = await openLake(join(dir, 'lake'))
    try {
      const t = await lake.table('silver.trades')
      const all = makeTrades(400)
      const w1 = t.writer({ flushRows: 25, flushMs: 0 })
      const w2 = t.writer({ flushRows: 30, flushMs: 0 })
      await Promise.all([
        (async () => {
          for (let i = 0; i < 300; i += 10) await w1.append(all.slice(i, i + 10))
          await w1.close()
        })(),
        (async () => {
          for (let i = 100; i < 400; i += 10) await w2.append(all.slice(i, i + 10))
          await w2.close()
        })(),
      ])
      const ids = (await t.scan()).map((r) => r.id)
      expect(ids).toHaveLength(400)
      expect(new Set(ids).size).toBe(400)
      expect(w1.stats().duplicates + w2.stats().duplicates).toBe(200)
      // and duplicates inside one batch
      const r = await t.append([...makeTrades(3, { startId: 1000 }), ...makeTrades(3, { startId: 1000 })])
      expect(r).toMatchObject({ rows: 3, duplicates: 3 })
    } finally {
      await lake.close()
      cleanup()
    }
  })
})
