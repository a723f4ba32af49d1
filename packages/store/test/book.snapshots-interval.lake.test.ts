// A feed with `bookSnapshots` piped into the lake: its interval snapshots land in silver.book as
// 'snapshot' rows stamped on the epoch-aligned grid, at most N levels per side.
import { join } from 'node:path'
import type { CanonicalSymbol } from '@k2/core'
import { openFeed } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'
import { openLake, pipe } from '@k2/store'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from './helpers.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

let cleanup = () => {}
afterEach(() => cleanup())

describe('interval book snapshots in the lake', () => {
  it('land in silver.book as snapshot rows on the grid', async () => {
    const tmp = tempDir()
    cleanup = tmp.cleanup
    const lake = await openLake(join(tmp.dir, 'lake'))
    const symbols: CanonicalSymbol[] = ['BTC-USD', 'ETH-USD']
    const sim = await startSimulator({ exchange: 'coinbase', symbols, books: true, seed: 5 })
    const books = sim.books
    if (books === undefined) throw new Error('the simulator has no books')
    const feed = openFeed({
      exchange: 'coinbase',
      symbols,
      channels: ['book'],
      url: sim.url,
      restUrl: sim.restUrl,
      bookSnapshots: { every: '10ms', depth: 3 },
    })
    const piping = pipe(feed, lake, { flushMs: 100 })
    const marked: { symbol: string; ts: number }[] = []
    feed.on('book', (ev) => {
      if (ev.type === 'book_snapshot' && ev.interval !== undefined) marked.push({ symbol: ev.symbol, ts: ev.ts })
    })
    const end = Date.now() + 20_000
    while (!symbols.every((s) => feed.book(s)?.ready)) {
      if (Date.now() > end) throw new Error('books not in sync')
      await sleep(10)
    }
    for (let i = 0; i < 20; i++) {
      books.publish(20)
      await sleep(2)
    }
    await sleep(50)
    const finalBids = feed.book('BTC-USD')?.depth().bids
    await feed.close()
    await piping
    await sim.close()
    expect(marked.length).toBeGreaterThan(20)
    const rows = await (await lake.table('silver.book')).scan()
    const grid = new Set(marked.map((m) => `${m.symbol} ${m.ts}`))
    const ts = (r: Record<string, unknown>) => (r.ts instanceof Date ? r.ts.getTime() * 1000 : Number(r.ts))
    const onGrid = rows.filter((r) => r.kind === 'snapshot' && grid.has(`${r.symbol} ${ts(r)}`))
    // Each interval snapshot is 3 bids and 3 asks (the book is deep): one row per level.
    expect(onGrid.length).toBe(marked.length * 6)
    for (const r of onGrid) expect(ts(r) % 10_000).toBe(0)
    // Marked as the feed's own, so neither a rebuild nor a replay takes them for the exchange's books.
    expect(onGrid.every((r) => r.snapshot_interval === '10ms')).toBe(true)
    expect(rows.filter((r) => r.snapshot_interval !== null).length).toBe(onGrid.length)
    const lastTs = Math.max(...marked.map((m) => m.ts))
    const rebuilt = await lake.book('coinbase', 'BTC-USD', Date.now() * 1000)
    expect(rebuilt?.bids.length).toBeGreaterThan(3) // the full book, not a top-3 snapshot
    expect(rebuilt?.bids).toEqual(finalBids)
    const replayed = []
    for await (const ev of lake.replay({ from: 0, to: lastTs + 1, channels: ['book'], symbols: ['BTC-USD'] }))
      if (ev.type === 'book_snapshot' && ev.interval !== undefined) replayed.push(ev.ts)
    expect(replayed).toEqual(marked.filter((m) => m.symbol === 'BTC-USD').map((m) => m.ts))
    await lake.close()
  }, 60_000)
})
