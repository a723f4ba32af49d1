import { type BookDelta, type BookSnapshot, type CanonicalSymbol, type Exchange, K2Error, type Level } from '@k2/core'
import type { ClientState } from './protocols/protocol.js'
import { type BookRequest, type BookStamp, type BookWire, bookWireFor, type WireBook, wireSide } from './sim-book-wire.js'
import { type BookView, type LevelChange, priceText, qtyText, TrueBook } from './sim-true-book.js'
import { mulberry32 } from './tape.js'

export interface SimBookOptions {
  /** Levels per side of each symbol's starting book (default 40). */
  levels?: number
}

/** A connection of the simulator, as the books see it. */
export interface BookClient {
  readonly state: ClientState
  send(frame: string): void
}

interface Subscriber {
  symbols: Set<CanonicalSymbol>
  depth: number
}

type Ladder = [number, number][]
interface Version {
  bids: Ladder
  asks: Ladder
}

interface SymbolBook {
  readonly book: TrueBook
  /** The book after each version, best first as [tick, lots]; version 0 is the starting book. */
  readonly history: Version[]
  drop: number
  corrupt: number
  stale: number
}

// Exchange time of version v is BASE + v ms: unique per version, so a feed's event names its version.
const BASE_US = 1_767_225_600_000_000

/**
 * The simulator's level-2 books: a true book per symbol changed by seeded random steps, served in each
 * exchange's real book protocol (Binance diff depth with `U`/`u` and a REST snapshot, Kraken v2 with its
 * CRC32 over the subscribed window, Coinbase level2 counted by the connection's `sequence_num`, Bitstamp
 * diffs with a REST snapshot), and broken on demand: a lost delta, a wrong checksum, a stale snapshot.
 * Every version of every book is kept, so a test can compare what a feed emitted with the truth.
 */
export class SimBooks {
  private readonly wire: BookWire
  private readonly books = new Map<CanonicalSymbol, SymbolBook>()
  private readonly subscribers = new Map<BookClient, Subscriber>()
  private turn = 0

  constructor(
    readonly exchange: Exchange,
    symbols: readonly CanonicalSymbol[],
    seed: number,
    options: SimBookOptions = {},
  ) {
    this.wire = bookWireFor(exchange)
    symbols.forEach((s, i) => {
      const book = new TrueBook(mulberry32(seed * 31 + i), 650_000 - i * 100_000, options.levels ?? 40)
      this.books.set(s, { book, history: [ladders(book)], drop: 0, corrupt: 0, stale: 0 })
    })
  }

  get symbols(): CanonicalSymbol[] {
    return [...this.books.keys()]
  }

  /** The latest version of `symbol`'s book. */
  version(symbol: CanonicalSymbol): number {
    return this.get(symbol).history.length - 1
  }

  /** The true book of `symbol` at `version` (default: the latest), its top `depth` levels per side. */
  truth(symbol: CanonicalSymbol, version = this.version(symbol), depth = Number.POSITIVE_INFINITY): BookView {
    const v = this.get(symbol).history[version]
    if (v === undefined) throw new K2Error('VALIDATION', `${symbol} has no book version ${version}`)
    const side = (l: Ladder): Level[] => l.slice(0, depth).map(([t, q]) => [Number(priceText(t)), Number(qtyText(q))])
    return { bids: side(v.bids), asks: side(v.asks) }
  }

  /** The version a feed's book event stands for (Binance: its update id; elsewhere: its exchange time). */
  versionOf(ev: BookSnapshot | BookDelta): number {
    if (this.exchange === 'binance') return ev.sequence ?? -1
    return (ev.ts - BASE_US) / 1000
  }

  /** The next delta of `symbol` is not sent (Coinbase: its `sequence_num` is spent all the same). Bitstamp has no way to notice one. */
  dropNext(symbol: CanonicalSymbol): void {
    if (this.exchange === 'bitstamp')
      throw new K2Error(
        'VALIDATION',
        'Bitstamp diffs carry no sequence: a lost one cannot be detected, so the simulator does not drop them',
      )
    this.get(symbol).drop++
  }

  /** The next Kraken delta of `symbol` carries a wrong checksum (its levels are right). */
  corruptChecksumNext(symbol: CanonicalSymbol): void {
    if (this.exchange !== 'kraken') throw new K2Error('VALIDATION', `only Kraken sends book checksums, not ${this.exchange}`)
    this.get(symbol).corrupt++
  }

  /** The next REST snapshot of `symbol` is 500 versions old (Binance, Bitstamp). */
  staleSnapshotNext(symbol: CanonicalSymbol): void {
    if (this.exchange !== 'binance' && this.exchange !== 'bitstamp')
      throw new K2Error('VALIDATION', `${this.exchange} sends its book snapshot on the stream, not from REST`)
    this.get(symbol).stale++
  }

  /** Changes the books `count` times (one symbol after another, or `symbol` only) and sends the deltas. */
  publish(count = 1, opts: { symbol?: CanonicalSymbol } = {}): void {
    const symbols = this.symbols
    for (let i = 0; i < count; i++) {
      const symbol = opts.symbol ?? (symbols[this.turn++ % symbols.length] as CanonicalSymbol)
      this.step(symbol)
    }
  }

  /** A client message: true if it was a book request (answered here), false to leave it to the trade protocol. */
  handle(client: BookClient, message: string): boolean {
    const req = this.wire.read(message)
    if (req === undefined) return false
    const sub = this.subscribers.get(client) ?? { symbols: new Set<CanonicalSymbol>(), depth: 10 }
    this.subscribers.set(client, sub)
    const known = req.natives.flatMap((n) => this.symbols.filter((s) => this.wire.native(s) === n))
    const sequence = () => client.state.sequence++
    if (req.kind === 'unsubscribe') {
      for (const s of known) sub.symbols.delete(s)
      for (const f of this.wire.answers(req, known, sequence, sub.symbols)) client.send(f)
      return true
    }
    if (req.depth !== undefined) sub.depth = req.depth
    for (const s of known) sub.symbols.add(s)
    for (const f of this.wire.answers(req, known, sequence, sub.symbols)) client.send(f)
    for (const s of known) {
      const v = this.version(s)
      const frame = this.wire.snapshot(this.stamp(s, v, v, client), this.wireBook(s, v, this.windowOf(sub)))
      if (frame !== undefined) client.send(frame)
    }
    return true
  }

  forget(client: BookClient): void {
    this.subscribers.delete(client)
  }

  /** A REST request: the book snapshot where the exchange serves one, else undefined. */
  rest(path: string, query: URLSearchParams): { status: number; body: string } | undefined {
    const r = this.wire.restSymbol(path, query)
    if (r === undefined) return undefined
    const symbol = this.symbols.find((s) => this.wire.native(s) === r.native)
    if (symbol === undefined) return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) }
    const b = this.get(symbol)
    let v = this.version(symbol)
    if (b.stale > 0) {
      b.stale--
      v = Math.max(0, v - 500)
    }
    const body = this.wire.restBody(this.stamp(symbol, v, v, undefined), this.wireBook(symbol, v, r.limit))
    return { status: 200, body }
  }

  private get(symbol: CanonicalSymbol): SymbolBook {
    const b = this.books.get(symbol)
    if (b === undefined) throw new K2Error('VALIDATION', `the simulator has no book for ${symbol}; it lists ${this.symbols.join(', ')}`)
    return b
  }

  private windowOf(sub: Subscriber): number {
    return this.exchange === 'kraken' ? sub.depth : Number.POSITIVE_INFINITY
  }

  private stamp(symbol: CanonicalSymbol, firstVersion: number, version: number, client: BookClient | undefined): BookStamp {
    return {
      symbol,
      version,
      firstVersion,
      ts: BASE_US + version * 1000,
      sequence: () => (client === undefined ? 0 : client.state.sequence++),
    }
  }

  private wireBook(symbol: CanonicalSymbol, version: number, depth: number): WireBook {
    const v = this.get(symbol).history[version] as Version
    return { bids: wireSide(v.bids.slice(0, depth)), asks: wireSide(v.asks.slice(0, depth)) }
  }

  private step(symbol: CanonicalSymbol): void {
    const b = this.get(symbol)
    const dropped = b.drop > 0
    if (dropped) b.drop--
    // Kraken's only loss signal is the checksum of the top 10: a lost change there is what it can see.
    const changes = b.book.step(dropped && this.exchange === 'kraken')
    b.history.push(ladders(b.book))
    const v = b.history.length - 1
    const corrupt = !dropped && b.corrupt > 0
    let corrupted = false
    for (const [client, sub] of this.subscribers) {
      if (!sub.symbols.has(symbol)) continue
      if (dropped) {
        if (this.exchange === 'coinbase') client.state.sequence++
        continue
      }
      const st = this.stamp(symbol, v, v, client)
      if (this.exchange === 'kraken') {
        const before = this.wireBook(symbol, v - 1, sub.depth)
        const after = this.wireBook(symbol, v, sub.depth)
        const diff = windowDiff(before, after)
        if (diff.bids.length + diff.asks.length === 0) continue // nothing changed inside the window
        client.send(this.wire.delta(st, diff, after, corrupt))
        corrupted ||= corrupt
      } else client.send(this.wire.delta(st, changed(b.book, changes), { bids: [], asks: [] }, false))
    }
    if (corrupted) b.corrupt--
  }
}

function ladders(book: TrueBook): Version {
  return {
    bids: book.ticks('bid').map((t) => [t, book.bids.get(t) ?? 0]),
    asks: book.ticks('ask').map((t) => [t, book.asks.get(t) ?? 0]),
  }
}

/** The final size of every level a step touched (a level changed twice is sent once). */
function changed(book: TrueBook, changes: LevelChange[]): WireBook {
  const out: WireBook = { bids: [], asks: [] }
  const seen = new Set<string>()
  for (const c of changes) {
    const key = `${c.side}${c.tick}`
    if (seen.has(key)) continue
    seen.add(key)
    const lots = (c.side === 'bid' ? book.bids : book.asks).get(c.tick) ?? 0
    ;(c.side === 'bid' ? out.bids : out.asks).push([priceText(c.tick), qtyText(lots)])
  }
  return out
}

/** What turns the window `before` into `after`: changed and new levels, and zeros for those that left. */
function windowDiff(before: WireBook, after: WireBook): WireBook {
  const side = (b: WireBook['bids'], a: WireBook['bids']) => {
    const was = new Map(b)
    const now = new Map(a)
    const out: WireBook['bids'] = a.filter(([p, q]) => was.get(p) !== q)
    for (const [p] of b) if (!now.has(p)) out.push([p, '0.00000000'])
    return out
  }
  return { bids: side(before.bids, after.bids), asks: side(before.asks, after.asks) }
}

export type { BookRequest }
