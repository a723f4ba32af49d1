// Books in the lake: a feed's book channel on the simulator, piped into silver.book / silver.quotes, with
// faults planted; then lake.book(exchange, symbol, at) at sampled instants equals both the book the live
// feed held then and the simulator's true book at that version.
import { join } from 'node:path'
import type { CanonicalSymbol, Exchange, Level } from '@k2/core'
import { OrderBook, openFeed } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'
import { openLake, pipe } from '@k2/store'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from './helpers.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

interface Sample {
  symbol: CanonicalSymbol
  at: number
  version: number
  live: { bids: Level[]; asks: Level[] }
}

const CASES: { exchange: Exchange; symbols: CanonicalSymbol[]; depth?: number }[] = [
  { exchange: 'binance', symbols: ['BTC-USDT', 'ETH-USDT'] },
  { exchange: 'kraken', symbols: ['BTC-USD', 'ETH-USD'], depth: 10 },
  { exchange: 'coinbase', symbols: ['BTC-USD', 'ETH-USD'] },
  { exchange: 'bitstamp', symbols: ['BTC-USD', 'ETH-USD'] },
]

let cleanup = () => {}
afterEach(() => cleanup())

describe.each(CASES)('$exchange books in the lake', ({ exchange, symbols, depth }) => {
  it('lake.book() at sampled instants equals the live book and the true book, across desyncs and reconnects', async () => {
    const tmp = tempDir()
    cleanup = tmp.cleanup
    const lake = await openLake(join(tmp.dir, 'lake'))
    const sim = await startSimulator({ exchange, symbols, books: true, seed: 3 })
    const books = sim.books
    if (books === undefined) throw new Error('the simulator has no books')
    const feed = openFeed({
      exchange,
      symbols,
      channels: ['book'],
      url: sim.url,
      restUrl: sim.restUrl,
      backoff: { minMs: 5, maxMs: 20 },
      historyRetryMinMs: 5,
      ...(depth === undefined ? {} : { depth }),
    })
    const piping = pipe(feed, lake, { flushMs: 100 })
    const window = exchange === 'kraken' ? depth : undefined
    const mine = new Map(symbols.map((s) => [s, new OrderBook(exchange, window === undefined ? {} : { depth: window })]))
    // The latest receive time emitted so far: an event stamped earlier (deltas buffered for a REST
    // snapshot) is applied after it, so only events that advance it are unambiguous instants.
    let latest = 0
    const candidates: Sample[] = []
    feed.on('book', (ev) => {
      const b = mine.get(ev.symbol) as OrderBook
      b.apply(ev)
      if (ev.recvTs > latest) {
        latest = ev.recvTs
        // The previous candidate of this instant is superseded by this later event.
        const last = candidates.at(-1)
        if (last !== undefined && last.at === ev.recvTs) candidates.pop()
        candidates.push({ symbol: ev.symbol, at: ev.recvTs, version: books.versionOf(ev), live: b.depth() })
      } else {
        // Deltas buffered while a REST snapshot was fetched come right after it, stamped earlier: at the
        // snapshot's instant the book already holds them.
        const last = candidates.at(-1)
        if (last !== undefined && last.symbol === ev.symbol) {
          last.live = b.depth()
          last.version = books.versionOf(ev)
        } else if (last !== undefined && last.at === ev.recvTs) candidates.pop() // two symbols at one instant
      }
    })
    const truthOf = (s: CanonicalSymbol) => books.truth(s, books.version(s), window)
    const same = (a: { bids: Level[]; asks: Level[] }, b: { bids: Level[]; asks: Level[] }) =>
      JSON.stringify(a.bids) === JSON.stringify(b.bids) && JSON.stringify(a.asks) === JSON.stringify(b.asks)
    const settle = async () => {
      const end = Date.now() + 20_000
      while (!symbols.every((s) => feed.book(s)?.ready && same((feed.book(s) as OrderBook).depth(), truthOf(s)))) {
        if (Date.now() > end) throw new Error(`${exchange}: books not synchronized`)
        books.publish(symbols.length)
        await sleep(10)
      }
    }
    await settle()
    for (let round = 0; round < 8; round++) {
      const s = symbols[round % symbols.length] as CanonicalSymbol
      if (round % 4 === 1) sim.disconnectAll()
      else if (round % 4 === 3 && exchange !== 'bitstamp') books.dropNext(s)
      for (let burst = 0; burst < 5; burst++) {
        books.publish(20)
        await sleep(2)
      }
      await settle()
    }
    await feed.close()
    const stats = await piping
    await sim.close()
    expect(stats.bookUpdates).toBeGreaterThan(300)
    expect(stats.quotes).toBeGreaterThan(50)
    expect((await (await lake.table('silver.quotes')).scan()).length).toBe(stats.quotes)

    // Every 7th instant, so the run stays short; a seeded choice would do as well.
    const samples = candidates.filter((_, i) => i % 7 === 0)
    expect(samples.length).toBeGreaterThan(30)
    const wrong: string[] = []
    for (const x of samples) {
      const got = await lake.book(exchange, x.symbol, x.at)
      const view = { bids: got?.bids ?? [], asks: got?.asks ?? [] }
      if (!same(view, x.live)) wrong.push(`${x.symbol} at ${x.at}: not the live book`)
      if (!same(view, books.truth(x.symbol, x.version, window))) wrong.push(`${x.symbol} at ${x.at}: not the true book v${x.version}`)
    }
    expect(wrong).toEqual([])
    // Before the first snapshot there is no book.
    expect(await lake.book(exchange, symbols[0] as string, 1_000_000)).toBeUndefined()
    await lake.close()
  }, 120_000)
})

describe('lake.book() input', () => {
  it('names what is wrong', async () => {
    const tmp = tempDir()
    cleanup = tmp.cleanup
    const lake = await openLake(join(tmp.dir, 'lake'))
    await expect(lake.book('nasdaq', 'BTC-USD', 0)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(lake.book('kraken', 'btc', 0)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(lake.book('kraken', 'BTC-USD', 0, { depth: 0 })).rejects.toMatchObject({ code: 'VALIDATION' })
    await lake.close()
  })
})
