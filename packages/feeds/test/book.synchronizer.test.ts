// The BookSynchronizer on real frames (fixtures: Binance RENBTCETH, Bitstamp paxusd, Kraken v1 USDC/GBP;
// Coinbase level2 from ../shared) and on planted faults: each fault is a desync with the right reason and
// resync, no event leaves a wrong book, and a fresh snapshot recovers the exact book.
import type { BookDelta, CanonicalSymbol } from '@k2/core'
import { describe, expect, it } from 'vitest'
import type { BookMessage, ParsedBookFrame } from '../src/adapters/adapter.js'
import { BinanceAdapter } from '../src/adapters/binance.js'
import { BitstampAdapter } from '../src/adapters/bitstamp.js'
import { CoinbaseAdapter } from '../src/adapters/coinbase.js'
import { BookSynchronizer, type SyncResult } from '../src/book/book-synchronizer.js'
import { OrderBook } from '../src/book/order-book.js'
import { krakenV1Books, type RealBookMessage, restSnapshots } from './book-real.js'
import { fixture, sharedReal } from './helpers.js'

const only = (r: ParsedBookFrame): BookMessage => (r.kind === 'book' ? (r.books[0] as BookMessage) : (undefined as unknown as BookMessage))

const binance = new BinanceAdapter()
const bDeltas = fixture('binance-depth-renbtceth.jsonl').map((l) => only(binance.parseBook(l, 0)))
const bRest = restSnapshots('binance', fixture('binance-depth-snapshot-renbtceth.jsonl'))?.[0]
const bSnap = only(binance.bookSnapshot.parse(bRest?.body ?? '', 'RENBTC-ETH', Math.round((bRest?.localTs ?? 0) * 1e6)))
const bitstamp = new BitstampAdapter()
const sDiffs = fixture('bitstamp-diff-book-paxusd.jsonl').map((l) => only(bitstamp.parseBook(l, 0)))
const sRest = restSnapshots('bitstamp', fixture('bitstamp-order-book-snapshot-paxusd.jsonl'))?.[0]
const sSnap = only(bitstamp.bookSnapshot.parse(sRest?.body ?? '', 'PAX-USD', 0))
const kMsgs = [...(krakenV1Books(fixture('kraken-v1-book-usdcgbp.jsonl'))?.values() ?? [])][0] ?? []

/** Sums up what the synchronizer returned over a run. */
function run(results: SyncResult[]): { events: number; quotes: number; desyncs: SyncResult[] } {
  return {
    events: results.reduce((n, r) => n + r.events.length, 0),
    quotes: results.filter((r) => r.quote !== undefined).length,
    desyncs: results.filter((r) => r.desync !== undefined),
  }
}

/** The book the messages must give, built directly. */
function truth(exchange: 'binance' | 'bitstamp' | 'kraken', msgs: readonly BookMessage[], depth?: number): OrderBook {
  const b = new OrderBook(exchange, depth === undefined ? {} : { depth })
  for (const m of msgs) b.apply(m.event, m.text)
  return b
}

describe('BookSynchronizer: Binance (real RENBTCETH diff depth + REST snapshot)', () => {
  // Events the recorder received before the snapshot arrived are buffered, as a live feed would.
  const split = bDeltas.findIndex((d) => d.event.ts > bSnap.event.ts)
  const before = bDeltas.slice(0, split)
  const after = bDeltas.slice(split)
  const covered = bDeltas.filter((d) => (d.event.sequence as number) > (bSnap.event.sequence as number))

  it('buffers while the snapshot is pending, applies the U/u rules, and never desyncs on the real stream', () => {
    const s = new BookSynchronizer('binance', 'RENBTC-ETH')
    expect(before.length).toBeGreaterThan(0)
    const r = run([...before.map((d) => s.onMessage(d)), s.onSnapshot(bSnap), ...after.map((d) => s.onMessage(d))])
    expect(r.desyncs).toEqual([])
    expect(r.events).toBe(1 + covered.length)
    expect(r.quotes).toBeGreaterThan(0)
    expect(s.book.depth()).toEqual(truth('binance', [bSnap, ...covered]).depth())
  })

  it('a skipped event desyncs (sequence_gap, fetch a snapshot); a later snapshot recovers the exact book', () => {
    const s = new BookSynchronizer('binance', 'RENBTC-ETH')
    s.onSnapshot(bSnap)
    const i = Math.floor(covered.length / 2)
    for (const d of covered.slice(0, i)) expect(s.onMessage(d).desync).toBeUndefined()
    const r = s.onMessage(covered[i + 1] as BookMessage)
    expect(r.desync).toMatchObject({ exchange: 'binance', symbol: 'RENBTC-ETH', reason: 'sequence_gap' })
    expect(r.resync).toBe('snapshot')
    expect(r.events).toEqual([])
    expect(s.pending).toBe(true)
    // The stream goes on (buffered); a snapshot of the true book at i + 5 arrives.
    for (const d of covered.slice(i + 2)) expect(s.onMessage(d).events).toEqual([])
    const later = truth('binance', [bSnap, ...covered.slice(0, i + 5)])
    const rec = s.onSnapshot({ event: later.snapshot(), text: later.depthText() })
    expect(rec.desync).toBeUndefined()
    expect(s.book.depth()).toEqual(truth('binance', [bSnap, ...covered]).depth())
  })

  it('a snapshot older than the first buffered event is stale; a bounded buffer gives up waiting', () => {
    const s = new BookSynchronizer('binance', 'RENBTC-ETH')
    for (const d of after) s.onMessage(d)
    const old = { ...bSnap, event: { ...bSnap.event, sequence: (after[0]?.event.firstSequence as number) - 10 } }
    expect(s.onSnapshot(old)).toMatchObject({ desync: { reason: 'stale_snapshot' }, resync: 'snapshot', events: [] })
    const small = new BookSynchronizer('binance', 'RENBTC-ETH', { maxBuffered: 3 })
    const rs = bDeltas.slice(0, 4).map((d) => small.onMessage(d))
    expect(rs.at(-1)?.desync?.reason).toBe('stale_snapshot')
  })
})

describe('BookSynchronizer: Kraken (real v1 USDC/GBP frames, depth 1000)', () => {
  const asMsg = (m: RealBookMessage): BookMessage => ({ event: m.event, text: m.text })

  it('every update verifies its checksum; a changed qty desyncs (checksum, resubscribe) until a new snapshot', () => {
    const s = new BookSynchronizer('kraken', 'USDC-GBP', { depth: 1000 })
    const r = run(kMsgs.map((m) => s.onMessage(asMsg(m))))
    expect(r.desyncs).toEqual([])
    expect(r.events).toBe(52)

    const t = new BookSynchronizer('kraken', 'USDC-GBP', { depth: 1000 })
    for (const m of kMsgs.slice(0, 10)) t.onMessage(asMsg(m))
    const m = kMsgs[10] as RealBookMessage
    const bad = { ...m, event: { ...m.event, checksum: ((m.checksum as number) + 1) >>> 0 } }
    expect(t.onMessage(asMsg(bad))).toMatchObject({ desync: { reason: 'checksum' }, resync: 'resubscribe', events: [] })
    // Updates before the new snapshot are ignored: nothing is emitted from an unknown book.
    expect(t.onMessage(asMsg(kMsgs[11] as RealBookMessage)).events).toEqual([])
    const later = truth(
      'kraken',
      kMsgs.slice(0, 20).map((x) => asMsg(x)),
      1000,
    )
    expect(t.onMessage({ event: later.snapshot(), text: later.depthText() }).events.length).toBe(1)
    for (const x of kMsgs.slice(20)) expect(t.onMessage(asMsg(x)).desync).toBeUndefined()
    expect(t.book.checksum()).toBe(kMsgs.at(-1)?.checksum)
  })
})

describe('BookSynchronizer: Bitstamp (real paxusd diff_order_book + REST snapshot)', () => {
  const after = sDiffs.filter((d) => d.event.ts > sSnap.event.ts)

  it('drops diffs the snapshot covers, applies the rest in order; swapped diffs and a crossing level desync', () => {
    const s = new BookSynchronizer('bitstamp', 'PAX-USD')
    const r = run([...sDiffs.map((d) => s.onMessage(d)), s.onSnapshot(sSnap)])
    expect(r.desyncs).toEqual([])
    expect(r.events).toBe(1 + after.length)
    expect(s.book.depth()).toEqual(truth('bitstamp', [sSnap, ...after]).depth())

    const t = new BookSynchronizer('bitstamp', 'PAX-USD')
    t.onSnapshot(sSnap)
    t.onMessage(after[1] as BookMessage)
    expect(t.onMessage(after[0] as BookMessage)).toMatchObject({ desync: { reason: 'out_of_order' }, resync: 'snapshot', events: [] })

    const u = new BookSynchronizer('bitstamp', 'PAX-USD')
    u.onSnapshot(sSnap)
    const ask = u.book.bestAsk()?.[0] as number
    const crossing: BookMessage = {
      event: { ...(after[0]?.event as BookDelta), bids: [[ask, 1]], asks: [] },
      text: { bids: [['', '']], asks: [] },
    }
    expect(u.onMessage(crossing)).toMatchObject({ desync: { reason: 'crossed' }, events: [] })
    expect(u.pending).toBe(true)
  })
})

const coinbaseL2 = sharedReal('coinbase-advanced-level2.jsonl')

describe.skipIf(coinbaseL2 === undefined)('BookSynchronizer: Coinbase (real level2 frames from ../shared)', () => {
  it('two books from one connection never desync; a connection gap or an older message resyncs one book only', () => {
    const a = new CoinbaseAdapter()
    const syncs = new Map<CanonicalSymbol, BookSynchronizer>()
    const msgs = (coinbaseL2 ?? []).map((l) => only(a.parseBook(l, 0)))
    for (const m of msgs) {
      const s = syncs.get(m.event.symbol) ?? new BookSynchronizer('coinbase', m.event.symbol)
      syncs.set(m.event.symbol, s)
      expect(s.onMessage(m).desync).toBeUndefined()
    }
    const btc = syncs.get('BTC-USD') as BookSynchronizer
    const eth = syncs.get('ETH-USD') as BookSynchronizer
    const older = msgs.filter((m) => m.event.symbol === 'BTC-USD' && m.event.type === 'book_delta')[0] as BookMessage
    expect(btc.onMessage(older)).toMatchObject({ desync: { reason: 'out_of_order' }, resync: 'resubscribe' })
    expect(eth.pending).toBe(false)
    expect(eth.reset('sequence_gap', 'sequence_num 41 after 39')).toMatchObject({ desync: { reason: 'sequence_gap', symbol: 'ETH-USD' } })
  })
})
