// Top-N book snapshots on an interval: a feed on the simulator's true books with `bookSnapshots`. Every
// interval snapshot must equal the top N of the true book after exactly the deltas stamped before its
// `ts` (the simulator stamps version v at BASE + v ms, so that is version (ts - BASE) / 1 ms - 1), sit on
// the epoch-aligned grid, grow strictly per symbol, and be well ordered; a reconnect midway restarts it.
import type { BookSnapshot, CanonicalSymbol, Exchange } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveFeedOptions } from '../src/feed-options.js'
import { type Feed, openFeed } from '../src/index.js'
import { type ExchangeSimulator, startSimulator } from '../src/testing.js'
import { sleep, waitFor } from './helpers.js'

const BASE_US = 1_767_225_600_000_000 // the simulator's exchange time of version 0
const EVERY_US = 10_000
const N = 5

const CASES: { exchange: Exchange; symbols: CanonicalSymbol[]; depth?: number }[] = [
  { exchange: 'binance', symbols: ['BTC-USDT', 'ETH-USDT'] },
  { exchange: 'kraken', symbols: ['BTC-USD', 'ETH-USD'], depth: 10 },
  { exchange: 'coinbase', symbols: ['BTC-USD', 'ETH-USD'] },
  { exchange: 'bitstamp', symbols: ['BTC-USD', 'ETH-USD'] },
]

let sim: ExchangeSimulator | undefined
let feed: Feed | undefined
afterEach(async () => {
  await feed?.close()
  await sim?.close()
  feed = undefined
  sim = undefined
})

describe.each(CASES)('$exchange interval snapshots on the simulator', ({ exchange, symbols, depth }) => {
  it(`every 10ms snapshot is the true top ${N} as of its interval end`, async () => {
    sim = await startSimulator({ exchange, symbols, books: true, seed: 11 })
    const books = sim.books
    if (books === undefined) throw new Error('the simulator has no books')
    const f = openFeed({
      exchange,
      symbols,
      channels: ['book'],
      url: sim.url,
      restUrl: sim.restUrl,
      backoff: { minMs: 5, maxMs: 20 },
      historyRetryMinMs: 5,
      bookSnapshots: { every: '10ms', depth: N },
      ...(depth === undefined ? {} : { depth }),
    })
    feed = f
    const snaps: BookSnapshot[] = []
    let reconnects = 0
    f.on('desync', (d) => {
      if (d.reason === 'reconnect') reconnects++
    })
    let exchangeSnapshots = 0
    f.on('book', (ev) => {
      if (ev.type !== 'book_snapshot') return
      if (ev.interval === undefined) exchangeSnapshots++
      else snaps.push(ev)
    })
    const ready = () => symbols.every((s) => f.book(s)?.ready === true)
    const run = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        books.publish(symbols.length * 7)
        await sleep(2)
      }
    }
    for (const what of ['the start', 'a reconnect']) {
      const end = Date.now() + 20_000
      while (!ready()) {
        if (Date.now() > end) throw new Error(`${exchange}: books not in sync after ${what}`)
        books.publish(symbols.length)
        await sleep(10)
      }
      await run(60)
      if (what !== 'the start') continue
      sim.disconnectAll()
      await waitFor(() => reconnects >= symbols.length, 'every book to see the reconnect')
    }

    expect(snaps.length).toBeGreaterThan(symbols.length * 40)
    const wrong: string[] = []
    for (const s of symbols) {
      const mine = snaps.filter((e) => e.symbol === s)
      expect(mine.length, s).toBeGreaterThan(20)
      for (let i = 0; i < mine.length; i++) {
        const e = mine[i] as BookSnapshot
        expect(e.interval).toBe('10ms')
        expect(e.ts % EVERY_US, `${s} ts ${e.ts} on the grid`).toBe(0)
        if (i > 0) expect(e.ts).toBeGreaterThan((mine[i - 1] as BookSnapshot).ts)
        expect(e.bids.length).toBeLessThanOrEqual(N)
        expect(e.asks.length).toBeLessThanOrEqual(N)
        for (let j = 1; j < e.bids.length; j++) expect(e.bids[j]?.[0]).toBeLessThan(e.bids[j - 1]?.[0] as number)
        for (let j = 1; j < e.asks.length; j++) expect(e.asks[j]?.[0]).toBeGreaterThan(e.asks[j - 1]?.[0] as number)
        const version = (e.ts - BASE_US) / 1000 - 1
        const truth = books.truth(s, version, N)
        if (JSON.stringify([e.bids, e.asks]) !== JSON.stringify([truth.bids, truth.asks]))
          wrong.push(`${s} at ${e.ts} (version ${version})`)
      }
      // 10 versions per interval, and the feed saw them all: no interval of the run is skipped, bar the reconnect.
      const gaps = mine.slice(1).filter((e, i) => e.ts - (mine[i] as BookSnapshot).ts !== EVERY_US).length
      expect(gaps, `${s}: intervals skipped`).toBeLessThanOrEqual(1)
    }
    expect(wrong).toEqual([])
    expect(exchangeSnapshots).toBeGreaterThan(0) // the exchange's own snapshots still come, unmarked
  }, 60_000)
})

describe('bookSnapshots option', () => {
  const base = { exchange: 'kraken' as const, symbols: ['BTC-USD'], channels: ['book' as const] }
  it('takes a duration and a depth that fits the book', () => {
    expect(resolveFeedOptions({ ...base, bookSnapshots: { every: '1s', depth: 10 } }).bookSnapshots).toEqual({
      every: 1_000_000,
      depth: 10,
      interval: '1s',
    })
    expect(resolveFeedOptions({ ...base, bookSnapshots: { every: 250_000, depth: 3 } }).bookSnapshots?.interval).toBe('250000us')
    expect(resolveFeedOptions(base).bookSnapshots).toBeUndefined()
  })
  it('says what fits when it does not', () => {
    const bad =
      (bookSnapshots: unknown, extra: object = {}) =>
      () =>
        resolveFeedOptions({ ...base, ...extra, bookSnapshots } as Parameters<typeof resolveFeedOptions>[0])
    expect(bad({ every: 'soon', depth: 5 })).toThrow(/bookSnapshots.every must be a positive duration such as '100ms'/)
    expect(bad({ every: '0s', depth: 5 })).toThrow(/bookSnapshots.every/)
    expect(bad({ every: -5, depth: 5 })).toThrow(/bookSnapshots.every/)
    expect(bad({ every: '1s', depth: 0 })).toThrow(/bookSnapshots.depth must be an integer from 1 to 10/)
    expect(bad({ every: '1s', depth: 25 })).toThrow(/from 1 to 10 \(the book's depth option\)/)
    expect(bad({ every: '1s', depth: 2.5 }, { exchange: 'coinbase' })).toThrow(/depth must be an integer from 1, got 2.5/)
    expect(bad({ every: '1s', depth: 5 }, { channels: ['trades'] })).toThrow(/needs the book channel/)
    expect(bad('1s')).toThrow(/must be an object/)
    try {
      bad({ every: 'x', depth: 5 })()
    } catch (e) {
      expect((e as { code?: string }).code).toBe('VALIDATION')
    }
  })
})
