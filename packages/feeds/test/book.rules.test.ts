// Each exchange's book rules on every real book frame in ../shared/data/real (see its SOURCES.md):
// the book built from snapshot + deltas never crosses, every checksum / sequence rule holds, and a
// planted corruption is detected where the protocol can see it. Skipped, with the reason, without ../shared.
import type { BookDelta, BookSnapshot, CanonicalSymbol } from '@k2/core'
import { describe, expect, it } from 'vitest'
import type { BookMessage, ParsedBookFrame } from '../src/adapters/adapter.js'
import { BinanceAdapter } from '../src/adapters/binance.js'
import { BitstampAdapter } from '../src/adapters/bitstamp.js'
import { CoinbaseAdapter } from '../src/adapters/coinbase.js'
import { OrderBook } from '../src/book/order-book.js'
import { binanceFirst, binanceNext, bitstampNext, coinbaseNext, type Verdict } from '../src/book/sequence-rules.js'
import { krakenV1Books, type RealBookMessage, restSnapshots } from './book-real.js'
import { rng } from './fuzz.js'
import { SHARED_REAL, sharedReal } from './helpers.js'

const absent = sharedReal('binance-depth.jsonl') === undefined
if (absent) console.warn(`book rules: real frames not found in ${SHARED_REAL}; skipped (set K2_SHARED_DIR to the shared folder)`)

const only = (r: ParsedBookFrame): BookMessage[] => {
  if (r.kind !== 'book') throw new Error(`not a book frame: ${r.kind === 'error' ? r.error.message : r.kind}`)
  return r.books
}

/** Replays Binance deltas after a snapshot by the U/u rules; the verdict of each delta, and whether the book ever crossed. */
function binanceReplay(snap: BookMessage, deltas: readonly BookMessage[]): { verdicts: Verdict[]; crossed: boolean; book: OrderBook } {
  const book = new OrderBook('binance')
  book.apply(snap.event, snap.text)
  const verdicts: Verdict[] = []
  let synced = false
  let crossed = false
  for (const d of deltas) {
    const ev = d.event as BookDelta
    const U = ev.firstSequence as number
    const u = ev.sequence as number
    const v = synced ? binanceNext(book.sequence as number, U, u) : binanceFirst(book.sequence as number, U, u)
    verdicts.push(v)
    if (v === 'gap') break
    if (v === 'apply') {
      book.apply(ev, d.text)
      synced = true
      crossed ||= book.isCrossed()
    }
  }
  return { verdicts, crossed, book }
}

describe.skipIf(absent)('Binance diff depth vs its REST snapshot (14 real snapshot/stream pairs)', () => {
  const a = new BinanceAdapter()
  const bySymbol = new Map<CanonicalSymbol, BookMessage[]>()
  for (const line of sharedReal('binance-depth.jsonl') ?? []) {
    const m = only(a.parseBook(line, 0))[0] as BookMessage
    bySymbol.set(m.event.symbol, [...(bySymbol.get(m.event.symbol) ?? []), m])
  }
  const pairs = (restSnapshots('binance') ?? []).map((s) => {
    const symbol = a.toCanonical(s.native) as CanonicalSymbol
    return { symbol, snap: only(a.bookSnapshot.parse(s.body, symbol, 0))[0] as BookMessage, deltas: bySymbol.get(symbol) ?? [] }
  })

  it('the first applied event straddles lastUpdateId + 1, then U == previous u + 1 always; the book never crosses', () => {
    expect(pairs.length).toBe(14)
    let applied = 0
    for (const { symbol, snap, deltas } of pairs) {
      const { verdicts, crossed } = binanceReplay(snap, deltas)
      expect(verdicts, symbol).not.toContain('gap')
      // Stale events all come before the first applied one (they precede the snapshot).
      const first = verdicts.indexOf('apply')
      expect(
        verdicts.slice(first).every((v) => v === 'apply'),
        symbol,
      ).toBe(true)
      expect(crossed, symbol).toBe(false)
      applied += verdicts.length - first
      for (let i = first + 1; i < deltas.length; i++)
        expect(deltas[i]?.event.firstSequence, symbol).toBe(((deltas[i - 1]?.event.sequence as number) + 1) as number)
    }
    expect(applied).toBeGreaterThan(4000)
  })

  it('a skipped event and two events swapped are detected as a gap; a snapshot older than the stream is too', () => {
    const rand = rng(7)
    for (const { symbol, snap, deltas } of pairs.filter((p) => p.deltas.length > 20)) {
      const first = binanceReplay(snap, deltas).verdicts.indexOf('apply')
      const i = first + 1 + Math.floor(rand() * (deltas.length - first - 3))
      const skipped = [...deltas.slice(0, i), ...deltas.slice(i + 1)]
      expect(binanceReplay(snap, skipped).verdicts.at(-1), `${symbol} skip ${i}`).toBe('gap')
      const swapped = [...deltas.slice(0, i), deltas[i + 1], deltas[i], ...deltas.slice(i + 2)] as BookMessage[]
      expect(binanceReplay(snap, swapped).verdicts.at(-1), `${symbol} swap ${i}`).toBe('gap')
      // A snapshot taken before the first event the stream still has: events in between are lost.
      const old = { ...snap, event: { ...snap.event, sequence: (deltas[first]?.event.firstSequence as number) - 5 } }
      expect(binanceReplay(old, deltas.slice(first)).verdicts[0], `${symbol} old snapshot`).toBe('gap')
    }
  })
})

/** Replays one Kraken pair, checking every update's checksum; the index of the first mismatch (or -1). */
function krakenReplay(msgs: readonly RealBookMessage[]): { mismatch: number; crossed: boolean; verified: number; book: OrderBook } {
  const book = new OrderBook('kraken', { depth: 1000 })
  let crossed = false
  let verified = 0
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i] as RealBookMessage
    book.apply(m.event, m.text)
    crossed ||= book.isCrossed()
    if (m.checksum === undefined) continue
    if (book.checksum() !== m.checksum) return { mismatch: i, crossed, verified, book }
    verified++
  }
  return { mismatch: -1, crossed, verified, book }
}

/** The same message with one level's qty text changed in its last digit (and its number with it). */
function changeQty(m: RealBookMessage, side: 'bids' | 'asks', k: number): RealBookMessage {
  const text = m.text[side].map((t, j) => (j === k ? ([t[0], t[1].slice(0, -1) + ((Number(t[1].at(-1)) + 1) % 10)] as const) : t))
  const levels = text.map(([p, q]) => [Number(p), Number(q)] as [number, number])
  return { ...m, event: { ...m.event, [side]: levels } as BookSnapshot | BookDelta, text: { ...m.text, [side]: text } }
}

describe.skipIf(absent)('Kraken CRC32 on every real book update (20 pairs, depth 1000, v1 frames: same checksum as v2)', () => {
  const pairs = [...(krakenV1Books() ?? new Map()).entries()] as [CanonicalSymbol, RealBookMessage[]][]

  it('all 18,765 update checksums verify on the wire text, truncated to the subscribed depth; no book crosses', () => {
    let verified = 0
    for (const [symbol, msgs] of pairs) {
      const r = krakenReplay(msgs)
      expect(r.mismatch, symbol).toBe(-1)
      expect(r.crossed, symbol).toBe(false)
      verified += r.verified
    }
    expect(verified).toBe(18765)
  })

  it('a changed qty in the top 10, a skipped update and two swapped updates fail the checksum', () => {
    const rand = rng(11)
    let planted = 0
    let caught = 0
    for (const [symbol, msgs] of pairs) {
      const truth = krakenReplay(msgs).book
      // Updates that change the top 10 (their checksum differs from the one before).
      const moving = msgs.map((_, i) => i).filter((i) => i > 1 && i < msgs.length - 1 && msgs[i]?.checksum !== msgs[i - 1]?.checksum)
      for (let n = 0; n < 5 && moving.length > 0; n++) {
        const i = moving[Math.floor(rand() * moving.length)] as number
        const m = msgs[i] as RealBookMessage
        // Change the qty of a level this update sets inside the top 10 (best-first index < 10 after it).
        const book = new OrderBook('kraken', { depth: 1000 })
        for (const x of msgs.slice(0, i + 1)) book.apply(x.event, x.text)
        const top = book.depth(10)
        const side = m.event.asks.some(([p, q]) => q > 0 && top.asks.some(([tp]) => tp === p)) ? 'asks' : 'bids'
        const k = m.event[side].findIndex(([p, q]) => q > 0 && top[side].some(([tp]) => tp === p))
        if (k >= 0) {
          const changed = [...msgs.slice(0, i), changeQty(m, side, k), ...msgs.slice(i + 1)]
          expect(krakenReplay(changed).mismatch, `${symbol} qty at ${i}`).toBe(i)
        }
        // A lost or reordered update is either caught by a checksum, or harmless: later absolute
        // quantities overwrote it and the book ends exactly as the real one (never wrong and unnoticed).
        const skipped = krakenReplay([...msgs.slice(0, i), ...msgs.slice(i + 1)])
        if (skipped.mismatch === -1) expect(skipped.book.depth(), `${symbol} skip ${i}`).toEqual(truth.depth())
        else expect(skipped.mismatch, `${symbol} skip ${i}`).toBeGreaterThanOrEqual(i)
        const swapped = krakenReplay([...msgs.slice(0, i - 1), m, msgs[i - 1], ...msgs.slice(i + 1)] as RealBookMessage[])
        if (swapped.mismatch === -1) expect(swapped.book.depth(), `${symbol} swap ${i}`).toEqual(truth.depth())
        else caught++
        if (skipped.mismatch >= 0) caught++
        planted++
      }
    }
    expect(planted).toBeGreaterThan(80)
    // Most lost / swapped updates are caught by the checksum itself.
    expect(caught).toBeGreaterThan(planted)
  })
})

describe.skipIf(absent)('Coinbase Advanced Trade sequence_num and level2 (real frames of one connection, all channels merged)', () => {
  const a = new CoinbaseAdapter()
  const files = ['level2', 'market-trades', 'ticker', 'heartbeats', 'candles', 'control']
  const frames = files
    .flatMap((f) => sharedReal(`coinbase-advanced-${f}.jsonl`) ?? [])
    .map((line) => ({ line, seq: a.sequenceOf(line) as number }))
    .sort((x, y) => x.seq - y.seq)
  const verdicts = (seqs: readonly number[]) => seqs.map((s, i) => coinbaseNext(i === 0 ? undefined : seqs[i - 1], s))

  it('sequence_num runs 0..1029 with no gap; each level2 book never crosses and its sequence only grows', () => {
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 1030 }, (_, i) => i))
    expect(verdicts(frames.map((f) => f.seq)).every((v) => v === 'apply')).toBe(true)
    const books = new Map<CanonicalSymbol, OrderBook>()
    let updates = 0
    for (const { line } of frames.filter((f) => f.line.includes('"l2_data"'))) {
      for (const m of only(a.parseBook(line, 0))) {
        const book = books.get(m.event.symbol) ?? new OrderBook('coinbase')
        books.set(m.event.symbol, book)
        if (m.event.type === 'book_delta') {
          expect(m.event.sequence as number).toBeGreaterThan(book.sequence as number)
          updates++
        }
        book.apply(m.event, m.text)
        expect(book.isCrossed(), `${m.event.symbol} at ${m.event.sequence}`).toBe(false)
      }
    }
    expect([...books.keys()].sort()).toEqual(['BTC-USD', 'ETH-USD'])
    expect(updates).toBe(773)
  })

  it('a lost frame is a gap and two swapped frames are out of order', () => {
    const seqs = frames.map((f) => f.seq)
    const rand = rng(5)
    for (let n = 0; n < 50; n++) {
      const i = 1 + Math.floor(rand() * (seqs.length - 3))
      expect(verdicts([...seqs.slice(0, i), ...seqs.slice(i + 1)])[i]).toBe('gap')
      const swapped = [...seqs.slice(0, i), seqs[i + 1], seqs[i], ...seqs.slice(i + 2)] as number[]
      expect(verdicts(swapped).slice(i, i + 2)).toEqual(['gap', 'out_of_order'])
    }
  })
})

describe.skipIf(absent)('Bitstamp diff_order_book vs its REST snapshot (20 real snapshots, microtimestamp ordering)', () => {
  const a = new BitstampAdapter()
  const diffs = new Map<CanonicalSymbol, BookMessage[]>()
  for (const line of sharedReal('bitstamp-diff-book.jsonl') ?? []) {
    const m = only(a.parseBook(line, 0))[0] as BookMessage
    diffs.set(m.event.symbol, [...(diffs.get(m.event.symbol) ?? []), m])
  }
  const pairs = (restSnapshots('bitstamp') ?? []).map((s) => {
    const symbol = a.toCanonical(s.native) as CanonicalSymbol
    return { symbol, snap: only(a.bookSnapshot.parse(s.body, symbol, 0))[0] as BookMessage, diffs: diffs.get(symbol) ?? [] }
  })

  function replay(snap: BookMessage, list: readonly BookMessage[]): { verdicts: Verdict[]; crossed: boolean } {
    const book = new OrderBook('bitstamp')
    book.apply(snap.event, snap.text)
    let applied = false
    let crossed = false
    const verdicts: Verdict[] = []
    for (const d of list) {
      const v = bitstampNext(book.ts, d.event.ts, !applied)
      verdicts.push(v)
      if (v === 'out_of_order') break
      if (v === 'apply') {
        book.apply(d.event, d.text)
        applied = true
        crossed ||= book.isCrossed()
      }
    }
    return { verdicts, crossed }
  }

  it('diffs at or before the snapshot are dropped, the rest apply in order, and the book never crosses', () => {
    expect(pairs.length).toBe(20)
    let applied = 0
    for (const { symbol, snap, diffs: list } of pairs) {
      const { verdicts, crossed } = replay(snap, list)
      const first = verdicts.indexOf('apply')
      expect(
        verdicts.slice(first === -1 ? verdicts.length : first).every((v) => v === 'apply'),
        symbol,
      ).toBe(true)
      expect(crossed, symbol).toBe(false)
      applied += verdicts.filter((v) => v === 'apply').length
    }
    expect(applied).toBeGreaterThan(3700)
  })

  it('two swapped diffs are out of order; a planted level through the other side crosses the book', () => {
    for (const { symbol, snap, diffs: list } of pairs) {
      const after = list.findIndex((d) => d.event.ts > snap.event.ts)
      if (after < 0 || after + 2 >= list.length) continue
      const swapped = [...list.slice(0, after), list[after + 1], list[after], ...list.slice(after + 2)] as BookMessage[]
      expect(replay(snap, swapped).verdicts.at(-1), symbol).toBe('out_of_order')
      const book = new OrderBook('bitstamp')
      book.apply(snap.event, snap.text)
      const ask = book.bestAsk()?.[0] as number
      book.apply({ ...(list[after]?.event as BookDelta), bids: [[ask, 1]], asks: [] })
      expect(book.isCrossed(), symbol).toBe(true)
    }
  })
})
