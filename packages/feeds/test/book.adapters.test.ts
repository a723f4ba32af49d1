import { crc32 } from 'node:zlib'
import { BookDeltaSchema, BookSnapshotSchema, K2Error } from '@k2/core'
import { describe, expect, it } from 'vitest'
import type { BookAdapter, BookMessage, ParsedBookFrame } from '../src/adapters/adapter.js'
import { BinanceAdapter } from '../src/adapters/binance.js'
import { BitstampAdapter } from '../src/adapters/bitstamp.js'
import { CoinbaseAdapter } from '../src/adapters/coinbase.js'
import { createAdapter } from '../src/adapters/index.js'
import { KrakenAdapter } from '../src/adapters/kraken.js'
import { OrderBook } from '../src/book/order-book.js'
import { HOSTILE_KINDS, hostileFrame } from '../src/testing/hostile-frames.js'
import { protocolFor } from '../src/testing/sim-frames.js'
import { Tape } from '../src/testing/tape.js'
import { krakenV1Books, restSnapshots, toKrakenV2 } from './book-real.js'
import { FUZZ_SCALE, mutate, rng } from './fuzz.js'
import { fixture, SHARED_REAL, sharedReal } from './helpers.js'

// Real frames (fixtures/README.md): Binance RENBTCETH diff depth + its REST snapshot, Bitstamp paxusd
// diff_order_book + its REST snapshot, Kraken v1 USDC/GBP book frames (turned into v2 frames here,
// marked derived). Coinbase's are AGPL: read from ../shared only.
const binanceDeltas = fixture('binance-depth-renbtceth.jsonl')
const binanceSnap = restSnapshots('binance', fixture('binance-depth-snapshot-renbtceth.jsonl'))?.[0]
const bitstampDiffs = fixture('bitstamp-diff-book-paxusd.jsonl')
const bitstampSnap = restSnapshots('bitstamp', fixture('bitstamp-order-book-snapshot-paxusd.jsonl'))?.[0]
const krakenV1 = [...(krakenV1Books(fixture('kraken-v1-book-usdcgbp.jsonl'))?.values() ?? [])][0] ?? []
const coinbaseL2 = sharedReal('coinbase-advanced-level2.jsonl')
if (coinbaseL2 === undefined)
  console.warn(`book: Coinbase level2 frames not found in ${SHARED_REAL}; their tests are skipped (set K2_SHARED_DIR)`)

function books(r: ParsedBookFrame): BookMessage[] {
  if (r.kind !== 'book') throw new Error(`expected book messages, got ${r.kind}: ${r.kind === 'error' ? r.error.message : ''}`)
  for (const b of r.books) (b.event.type === 'book_snapshot' ? BookSnapshotSchema : BookDeltaSchema).parse(b.event)
  return r.books
}

/** The text of each level equals the frame's own strings, and the numbers are those strings' values. */
function expectTextMatches(m: BookMessage, bids: [string, string][], asks: [string, string][]): void {
  expect(m.text.bids).toEqual(bids)
  expect(m.text.asks).toEqual(asks)
  expect(m.event.bids).toEqual(bids.map(([p, q]) => [Number(p), Number(q)]))
  expect(m.event.asks).toEqual(asks.map(([p, q]) => [Number(p), Number(q)]))
}

/** The CRC32 of a book's top 10 from its level text, independently of K2's implementation (node:zlib). */
function zlibKrakenChecksum(asks: [string, string][], bids: [string, string][]): number {
  const digits = (t: string) => t.replace('.', '').replace(/^0+/, '')
  const s = [...asks.slice(0, 10), ...bids.slice(0, 10)].map(([p, q]) => digits(p) + digits(q)).join('')
  return crc32(s) >>> 0
}

describe('book frames of real captures parse into BookSnapshot / BookDelta with their wire text', () => {
  it('Binance diff depth (RENBTCETH) and its REST snapshot', () => {
    const a = new BinanceAdapter()
    const snap = books(a.bookSnapshot.parse(binanceSnap?.body ?? '', 'RENBTC-ETH', 5))[0] as BookMessage
    const body = JSON.parse(binanceSnap?.body ?? '{}')
    expect(snap.event).toMatchObject({ type: 'book_snapshot', symbol: 'RENBTC-ETH', sequence: body.lastUpdateId, ts: 5 })
    expectTextMatches(snap, body.bids, body.asks)
    for (const line of binanceDeltas) {
      const d = JSON.parse(line).data
      const m = books(a.parseBook(line, 7))[0] as BookMessage
      expect(m.event).toMatchObject({
        type: 'book_delta',
        symbol: 'RENBTC-ETH',
        sequence: d.u,
        firstSequence: d.U,
        ts: d.E * 1000,
        recvTs: 7,
      })
      expectTextMatches(m, d.b, d.a)
    }
    expect(a.bookSubscribe(['RENBTC-ETH'], undefined, 3)).toEqual(['{"method":"SUBSCRIBE","params":["renbtceth@depth@100ms"],"id":3}'])
    expect(a.bookSnapshot.url('https://api.binance.com', 'RENBTC-ETH', 9000)).toBe(
      'https://api.binance.com/api/v3/depth?symbol=RENBTCETH&limit=5000',
    )
  })

  it('Bitstamp diff_order_book (paxusd), its REST snapshot and its subscription ack', () => {
    const a = new BitstampAdapter()
    const snap = books(a.bookSnapshot.parse(bitstampSnap?.body ?? '', 'PAX-USD', 5))[0] as BookMessage
    const body = JSON.parse(bitstampSnap?.body ?? '{}')
    expect(snap.event).toMatchObject({ type: 'book_snapshot', symbol: 'PAX-USD', ts: Number(body.microtimestamp) })
    expectTextMatches(snap, body.bids, body.asks)
    for (const line of bitstampDiffs) {
      const d = JSON.parse(line).data
      const m = books(a.parseBook(line, 7))[0] as BookMessage
      expect(m.event).toMatchObject({ type: 'book_delta', symbol: 'PAX-USD', ts: Number(d.microtimestamp) })
      expect(m.event.sequence).toBeUndefined()
      expectTextMatches(m, d.bids, d.asks)
    }
    const ack = fixture('bitstamp-control.jsonl').find((l) => l.includes('diff_order_book_paxusd')) ?? ''
    expect(a.parseBook(ack, 1)).toEqual({ kind: 'ack', symbols: ['PAX-USD'] })
  })

  it('Kraken v2 book frames (DERIVED from the real v1 USDC/GBP frames): text kept exactly, every checksum verifies', () => {
    const a = new KrakenAdapter()
    const book = new OrderBook('kraken', { depth: 1000 })
    let verified = 0
    for (const v1 of krakenV1) {
      const snapshotChecksum =
        v1.event.type === 'book_snapshot'
          ? zlibKrakenChecksum(v1.text.asks as [string, string][], v1.text.bids as [string, string][])
          : undefined
      const m = books(a.parseBook(toKrakenV2('USDC/GBP', v1, snapshotChecksum), 9))[0] as BookMessage
      expect(m.event.type).toBe(v1.event.type)
      expectTextMatches(m, v1.text.bids as [string, string][], v1.text.asks as [string, string][])
      book.apply(m.event, m.text)
      expect(book.checksum()).toBe(m.event.checksum)
      // The same checksum, computed by zlib from the book's own top-10 text.
      const top = book.depthText(10)
      expect(zlibKrakenChecksum(top.asks, top.bids)).toBe(m.event.checksum)
      verified++
    }
    expect(verified).toBe(52)
    expect(JSON.parse(a.bookSubscribe(['BTC-USD'], 25, 4)[0] ?? '')).toEqual({
      method: 'subscribe',
      params: { channel: 'book', symbol: ['BTC/USD'], depth: 25, snapshot: true },
      req_id: 4,
    })
    expect(() => a.bookSubscribe(['BTC-USD'], 20, 4)).toThrow(K2Error)
    // The documented acknowledgement (docs example) is an ack, not a book.
    const ack =
      '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ETH/USD"},"success":true,"time_in":"2025-05-06T09:17:26.058856Z","time_out":"2025-05-06T09:17:26.058894Z","req_id":7}'
    expect(a.parseBook(ack, 1)).toEqual({ kind: 'ack', reqId: 7, symbols: ['ETH-USD'] })
  })

  it.skipIf(coinbaseL2 === undefined)('Coinbase Advanced Trade l2_data (../shared: 2 snapshots, 773 updates)', () => {
    const a = new CoinbaseAdapter()
    let snapshots = 0
    for (const line of coinbaseL2 ?? []) {
      const msg = JSON.parse(line)
      const m = books(a.parseBook(line, 3))
      expect(m.length).toBe(msg.events.length)
      const ev = msg.events[0]
      const side = (s: string) =>
        ev.updates.filter((u: { side: string }) => u.side === s).map((u: Record<string, string>) => [u.price_level, u.new_quantity])
      expectTextMatches(m[0] as BookMessage, side('bid'), side('offer'))
      expect(m[0]?.event).toMatchObject({ symbol: ev.product_id, sequence: msg.sequence_num })
      expect(a.sequenceOf(line)).toBe(msg.sequence_num)
      if (m[0]?.event.type === 'book_snapshot') snapshots++
    }
    expect(snapshots).toBe(2)
  })
})

/** Edits that break a real book frame; each must come back as a PROTOCOL dead letter. */
const BAD: [string, BookAdapter, string, [RegExp, string][]][] = [
  [
    'binance',
    new BinanceAdapter(),
    binanceDeltas.find((l) => l.includes('"b":[[') && l.includes('"a":[[')) ?? '',
    [
      [/"b":\[\["[^"]+"/, '"b":[["abc"'],
      [/"a":\[\["([^"]+)","[^"]+"/, '"a":[["$1","-1"'],
      [/"U":\d+/, '"U":"1"'],
      [/"U":\d+/, '"U":99999999999'],
      [/"s":"RENBTCETH"/, '"s":"???"'],
      [/"b":\[\[/, '"b":[[1,'],
      [/\}\}$/, '}'],
    ],
  ],
  [
    'bitstamp',
    new BitstampAdapter(),
    bitstampDiffs[0] ?? '',
    [
      [/"microtimestamp":"\d+"/, '"microtimestamp":"soon"'],
      [/"bids":\[\["[^"]+"/, '"bids":[["0x10"'],
      [/"bids":\[/, '"bids":[["1"],'],
      [/"asks":\[[^\]]*\]/, '"asks":{}'],
    ],
  ],
  [
    'kraken (derived v2)',
    new KrakenAdapter(),
    krakenV1[1] === undefined ? '' : toKrakenV2('USDC/GBP', krakenV1[1]),
    [
      [/"price":([\d.]+)/, '"price":"$1"'],
      [/"price":([\d.]+)/, '"price":1e5'],
      [/"qty":([\d.]+)/, '"qty":-1'],
      [/"checksum":\d+/, '"checksum":4294967296'],
      [/"type":"update"/, '"type":"rewrite"'],
      [/"symbol":"USDC\/GBP"/, '"symbol":"nothing"'],
      [/"timestamp":"[^"]+"/, '"timestamp":"yesterday"'],
      [/\]\}$/, ']'],
    ],
  ],
]

describe('malformed book frames are dead letters, never throws', () => {
  for (const [name, adapter, frame, edits] of BAD) {
    it(`${name}: each broken field is a PROTOCOL error`, () => {
      expect(adapter.parseBook(frame, 1).kind).toBe('book')
      for (const [re, to] of edits) {
        const bad = frame.replace(re, to)
        expect(bad, String(re)).not.toBe(frame)
        const r = adapter.parseBook(bad, 1)
        expect(r.kind, `${name} ${re} → ${to}`).toBe('error')
        if (r.kind === 'error') expect(r.error.code).toBe('PROTOCOL')
      }
    })
  }

  it('mutated real book frames: parseBook never throws, and every book it returns is a valid event', () => {
    const rand = rng(1313)
    const frames = BAD.map(([, a, f]) => [a, f] as const)
    const others = frames.map(([, f]) => f)
    for (let i = 0; i < 3000 * FUZZ_SCALE; i++) {
      const [adapter, frame] = frames[i % frames.length] as (typeof frames)[number]
      const r = adapter.parseBook(mutate(rand, frame, others), 1)
      if (r.kind === 'book') books(r)
      // PROTOCOL, never INTERNAL: no mutation reaches a bug.
      if (r.kind === 'error') expect(r.error.code).toBe('PROTOCOL')
    }
  })

  it("the simulator's hostile frames are PROTOCOL dead letters through parseBook too, and so are deep book frames", () => {
    for (const exchange of ['binance', 'kraken', 'coinbase', 'bitstamp'] as const) {
      const symbol = exchange === 'binance' ? 'BTC-USDT' : 'BTC-USD'
      const tape = new Tape(exchange, [symbol], 3)
      const adapter = createAdapter(exchange, { symbols: [symbol] }) as unknown as BookAdapter
      for (const kind of HOSTILE_KINDS) {
        const f = hostileFrame(kind, exchange, protocolFor(exchange, 'trades'), tape.upcoming(symbol))
        const r = adapter.parseBook(typeof f === 'string' ? f : Buffer.from(f).toString('utf8'), 1)
        expect(r.kind, `${exchange} ${kind}`).toBe('error')
        if (r.kind === 'error') expect(r.error.code).toBe('PROTOCOL')
      }
    }
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const kraken = new KrakenAdapter().parseBook(`{"channel":"book","type":"update","data":${deep}}`, 1)
    expect(kraken.kind === 'error' && kraken.error.code).toBe('PROTOCOL')
    const binance = new BinanceAdapter().parseBook(
      `{"stream":"x@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":1,"u":2,"E":1,"b":${deep},"a":[]}}`,
      1,
    )
    expect(binance.kind === 'error' && binance.error.code).toBe('PROTOCOL')
  })

  it('non-book frames still go through the trade parser', () => {
    const trade = fixture('binance-aggtrade.jsonl')[0] ?? ''
    expect(new BinanceAdapter({ channel: 'aggTrades' }).parseBook(trade, 1).kind).toBe('trades')
    expect(new KrakenAdapter().parseBook('{"channel":"heartbeat"}', 1).kind).toBe('heartbeat')
  })
})
