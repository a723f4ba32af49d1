import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BookDelta, BookSnapshot, CanonicalSymbol } from '@k2/core'
import { BinanceAdapter, type BookMessage, KrakenAdapter, krakenToCanonical, OrderBook } from '@k2/feeds'
import { mulberry32, TrueBook } from '@k2/feeds/testing'
import { openLake } from '@k2/store'
import { OrderBook as TardisOrderBook } from 'tardis-dev'
import { compare, type Subject } from './harness.js'

// Applying real book deltas: the real Binance diff-depth streams of ../shared/data/real (14 symbols,
// each from its REST snapshot) and the real Kraken v1 book streams (20 pairs, depth 1000, with their
// CRC32), each replayed REPEAT times. Every subject gets the same pre-parsed levels; parsing is not timed
// except where a row says so. tardis-dev's OrderBook (a red-black tree per side) is the reference.
const SHARED = process.env.K2_SHARED_DIR ?? fileURLToPath(new URL('../../shared', import.meta.url))
const REAL = join(SHARED, 'data', 'real')
const REPEAT = 20

const lines = (name: string) => readFileSync(join(REAL, name), 'utf8').split('\n').filter(Boolean)

interface Stream {
  snapshot: BookMessage
  deltas: BookMessage[]
}

function binanceStreams(): Stream[] {
  const a = new BinanceAdapter()
  const bySymbol = new Map<string, BookMessage[]>()
  for (const line of lines('binance-depth.jsonl')) {
    const r = a.parseBook(line, 0)
    if (r.kind !== 'book') continue
    for (const m of r.books) bySymbol.set(m.event.symbol, [...(bySymbol.get(m.event.symbol) ?? []), m])
  }
  return lines('binance-depth-snapshot.jsonl').map((line) => {
    const native = /symbol=(\w+)/.exec(line)?.[1] ?? ''
    const symbol = a.toCanonical(native) as CanonicalSymbol
    const body = line.slice(line.indexOf('"body":') + 7, line.lastIndexOf('}')).trim()
    const r = a.bookSnapshot.parse(body, symbol, 0)
    if (r.kind !== 'book') throw new Error(`bad snapshot for ${native}`)
    const snapshot = r.books[0] as BookMessage
    const deltas = (bySymbol.get(symbol) ?? []).filter((d) => (d.event.sequence as number) > (snapshot.event.sequence as number))
    return { snapshot, deltas }
  })
}

/** Kraken v1 frames as book messages with their wire text and checksum (v1 is what real captures hold). */
function krakenStreams(): Stream[] {
  type Entry = [string, string, string]
  const byPair = new Map<string, BookMessage[]>()
  for (const line of lines('kraken-v1-book.jsonl')) {
    const f = JSON.parse(line) as unknown[]
    const pair = f[f.length - 1] as string
    const payloads = f.slice(1, -2) as { as?: Entry[]; bs?: Entry[]; a?: Entry[]; b?: Entry[]; c?: string }[]
    const snapshot = payloads.some((p) => p.as !== undefined || p.bs !== undefined)
    const bids = payloads.flatMap((p) => p.bs ?? p.b ?? [])
    const asks = payloads.flatMap((p) => p.as ?? p.a ?? [])
    const c = payloads.find((p) => p.c !== undefined)?.c
    const event = {
      type: snapshot ? 'book_snapshot' : 'book_delta',
      exchange: 'kraken',
      symbol: krakenToCanonical(pair) as CanonicalSymbol,
      ts: 1,
      recvTs: 1,
      bids: bids.map((e) => [Number(e[0]), Number(e[1])]),
      asks: asks.map((e) => [Number(e[0]), Number(e[1])]),
      ...(c === undefined ? {} : { checksum: Number(c) }),
    } as BookSnapshot | BookDelta
    const text = { bids: bids.map((e) => [e[0], e[1]] as const), asks: asks.map((e) => [e[0], e[1]] as const) }
    byPair.set(pair, [...(byPair.get(pair) ?? []), { event, text }])
  }
  return [...byPair.values()].map((msgs) => ({ snapshot: msgs[0] as BookMessage, deltas: msgs.slice(1) }))
}

type TardisChange = ConstructorParameters<typeof Object>[0]
function tardisChange(m: BookMessage): TardisChange {
  const levels = (ls: readonly [number, number][]) => ls.map(([price, amount]) => ({ price, amount }))
  return {
    type: 'book_change',
    symbol: m.event.symbol,
    exchange: 'binance',
    isSnapshot: m.event.type === 'book_snapshot',
    bids: levels(m.event.bids),
    asks: levels(m.event.asks),
    timestamp: new Date(0),
    localTimestamp: new Date(0),
  }
}

/** The other storage measured for K2's book: a Map per side and a sorted price list rebuilt when levels come or go. */
class MapBook {
  private readonly bids = new Map<number, number>()
  private readonly asks = new Map<number, number>()
  private bidKeys: number[] | undefined
  private askKeys: number[] | undefined
  apply(ev: BookSnapshot | BookDelta): void {
    if (ev.type === 'book_snapshot') {
      this.bids.clear()
      this.asks.clear()
    }
    for (const [p, q] of ev.bids) this.set(this.bids, p, q, true)
    for (const [p, q] of ev.asks) this.set(this.asks, p, q, false)
  }
  private set(m: Map<number, number>, p: number, q: number, bid: boolean): void {
    const had = m.has(p)
    if (q === 0) m.delete(p)
    else m.set(p, q)
    if (had !== (q !== 0)) {
      if (bid) this.bidKeys = undefined
      else this.askKeys = undefined
    }
  }
  bestBid(): number | undefined {
    this.bidKeys ??= [...this.bids.keys()].sort((a, b) => b - a)
    return this.bidKeys[0]
  }
  bestAsk(): number | undefined {
    this.askKeys ??= [...this.asks.keys()].sort((a, b) => a - b)
    return this.askKeys[0]
  }
}

const deltaCount = (streams: readonly Stream[]) => streams.reduce((n, s) => n + s.deltas.length, 0) * REPEAT

function subjects(streams: readonly Stream[], readTop: boolean, depth?: number): { reference: Subject; subjects: Subject[] } {
  const units = deltaCount(streams)
  const tardis = streams.map((s) => ({ snapshot: tardisChange(s.snapshot), deltas: s.deltas.map(tardisChange) }))
  let sink = 0
  return {
    reference: {
      name: 'tardis-dev OrderBook',
      units,
      run: () => {
        for (let r = 0; r < REPEAT; r++)
          for (const s of tardis) {
            const b = new TardisOrderBook()
            b.update(s.snapshot as never)
            for (const d of s.deltas) {
              b.update(d as never)
              if (readTop) sink += (b.bestBid()?.price ?? 0) + (b.bestAsk()?.price ?? 0)
            }
          }
        return sink
      },
    },
    subjects: [
      {
        name: 'K2 OrderBook (sorted arrays, best last)',
        units,
        run: () => {
          for (let r = 0; r < REPEAT; r++)
            for (const s of streams) {
              const b = new OrderBook(s.snapshot.event.exchange, depth === undefined ? {} : { depth })
              b.apply(s.snapshot.event, s.snapshot.text)
              for (const d of s.deltas) {
                b.apply(d.event, d.text)
                if (readTop) sink += (b.bestBid()?.[0] ?? 0) + (b.bestAsk()?.[0] ?? 0)
              }
            }
          return sink
        },
      },
      {
        name: 'Map per side + lazily sorted keys (not chosen)',
        units,
        run: () => {
          for (let r = 0; r < REPEAT; r++)
            for (const s of streams) {
              const b = new MapBook()
              b.apply(s.snapshot.event)
              for (const d of s.deltas) {
                b.apply(d.event)
                if (readTop) sink += (b.bestBid() ?? 0) + (b.bestAsk() ?? 0)
              }
            }
          return sink
        },
      },
    ],
  }
}

function krakenChecksumSubjects(streams: readonly Stream[]): Subject[] {
  const units = deltaCount(streams)
  const adapter = new KrakenAdapter()
  // DERIVED v2 frames (no real v2 book frames exist): the real v1 levels' text as v2 JSON numbers.
  const frame = (m: BookMessage) => {
    const side = (t: readonly (readonly [string, string])[]) => t.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')
    const type = m.event.type === 'book_snapshot' ? 'snapshot' : 'update'
    const pair = `${m.event.symbol.replace('-', '/')}`
    return `{"channel":"book","type":"${type}","data":[{"symbol":"${pair}","bids":[${side(m.text.bids)}],"asks":[${side(m.text.asks)}],"checksum":${m.event.checksum ?? 0},"timestamp":"2021-04-05T23:47:03.606671Z"}]}`
  }
  const frames = streams.map((s) => ({ snapshot: s.snapshot, deltas: s.deltas.map(frame) }))
  let bad = 0
  return [
    {
      name: 'K2 OrderBook + CRC32 check per update',
      units,
      run: () => {
        for (let r = 0; r < REPEAT; r++)
          for (const s of streams) {
            const b = new OrderBook('kraken', { depth: 1000 })
            b.apply(s.snapshot.event, s.snapshot.text)
            for (const d of s.deltas) {
              b.apply(d.event, d.text)
              if (b.checksum() !== d.event.checksum) bad++
            }
          }
        if (bad > 0) throw new Error(`${bad} checksums failed`)
        return bad
      },
    },
    {
      name: 'K2 parseBook (v2 text, lossless) + OrderBook + CRC32 check',
      units,
      run: () => {
        for (let r = 0; r < REPEAT; r++)
          for (const s of frames) {
            const b = new OrderBook('kraken', { depth: 1000 })
            b.apply(s.snapshot.event, s.snapshot.text)
            for (const f of s.deltas) {
              const p = adapter.parseBook(f, 1)
              if (p.kind !== 'book') throw new Error('not a book frame')
              for (const m of p.books) {
                b.apply(m.event, m.text)
                if (b.checksum() !== m.event.checksum) bad++
              }
            }
          }
        if (bad > 0) throw new Error(`${bad} checksums failed`)
        return bad
      },
    },
  ]
}

const load = (before: number) =>
  `Load average (1 min) before and after: ${before.toFixed(1)}, ${(loadavg()[0] ?? 0).toFixed(1)}, on 2 cores shared with other work.`

/**
 * One simulated day of a Binance-like book at 100 ms: a snapshot at midnight, then 864,000 deltas of 1-3
 * levels. lake.book() at the day's end reads every row back through DuckDB and applies it; the
 * references apply the same deltas from memory, with no I/O at all (the floor a lake can approach).
 */
export async function rebuildBench(): Promise<void> {
  const MESSAGES = 864_000
  const DAY0 = Date.UTC(2026, 0, 1) * 1000
  const book = new TrueBook(mulberry32(5), 650_000, 60)
  const view = book.view()
  const snapshot: BookSnapshot = {
    type: 'book_snapshot',
    exchange: 'binance',
    symbol: 'BTC-USDT' as CanonicalSymbol,
    ts: DAY0,
    recvTs: DAY0,
    ...view,
    sequence: 0,
  }
  const deltas: BookDelta[] = []
  for (let i = 1; i <= MESSAGES; i++) {
    const changes = book.step()
    const at = DAY0 + i * 100_000
    const level = (c: { tick: number; lots: number }): [number, number] => [c.tick / 10, c.lots / 1e8]
    deltas.push({
      type: 'book_delta',
      exchange: 'binance',
      symbol: 'BTC-USDT' as CanonicalSymbol,
      ts: at,
      recvTs: at + 300,
      bids: changes.filter((c) => c.side === 'bid').map(level),
      asks: changes.filter((c) => c.side === 'ask').map(level),
      sequence: i,
      firstSequence: i,
    })
  }
  const rows = deltas.reduce((n, d) => n + d.bids.length + d.asks.length, 0)
  const dir = mkdtempSync(join(tmpdir(), 'k2-bench-books-'))
  const lake = await openLake(join(dir, 'lake'))
  const writer = (await lake.table('silver.book')).writer({ flushRows: 500_000 })
  await writer.append([snapshot])
  for (let i = 0; i < deltas.length; i += 50_000) await writer.append(deltas.slice(i, i + 50_000))
  await writer.close()
  const end = DAY0 + (MESSAGES + 1) * 100_000
  const expected = new OrderBook('binance')
  expected.apply(snapshot)
  for (const d of deltas) expected.apply(d)
  const want = JSON.stringify(expected.depth())
  const tardisEvents = [snapshot, ...deltas].map((e) => ({
    type: e.type,
    bids: e.bids.map(([price, amount]) => ({ price, amount })),
    asks: e.asks.map(([price, amount]) => ({ price, amount })),
  }))
  const before = loadavg()[0] ?? 0
  let sink = 0
  try {
    await compare({
      id: 'books-rebuild',
      title: 'lake.book(): one day of Binance-like deltas at 100 ms rebuilt from silver.book',
      unit: 'deltas',
      samples: 5,
      warmup: 1,
      reference: {
        name: 'tardis-dev OrderBook, same deltas from memory (no I/O)',
        units: MESSAGES,
        run: () => {
          const b = new TardisOrderBook()
          for (const e of tardisEvents) b.update(e as never)
          sink += b.bestBid()?.price ?? 0
          return sink
        },
      },
      subjects: [
        {
          name: 'K2 OrderBook, same deltas from memory (no I/O)',
          units: MESSAGES,
          run: () => {
            const b = new OrderBook('binance')
            b.apply(snapshot)
            for (const d of deltas) b.apply(d)
            sink += b.bestBid()?.[0] ?? 0
            return sink
          },
        },
        {
          name: 'K2 lake.book() at the day’s end (DuckDB scan + rebuild)',
          units: MESSAGES,
          run: async () => {
            const got = await lake.book('binance', 'BTC-USDT', end)
            if (JSON.stringify({ bids: got?.bids, asks: got?.asks }) !== want)
              throw new Error('lake.book() differs from the in-memory book')
            return got
          },
        },
      ],
      note: () =>
        `${rows.toLocaleString('en-US')} silver.book rows (one per level) plus a ${view.bids.length + view.asks.length}-level snapshot; the lake's answer is checked against the in-memory book every sample. These deltas carry 1-3 levels each, so the per-message cost dominates (K2 checks every message's exchange, symbol and levels); on the real Binance deltas above, with many levels each, K2 applies 2.2× faster than tardis-dev. ${load(before)}`,
    })
  } finally {
    await lake.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export default async function run(): Promise<void> {
  await rebuildBench()
  if (!existsSync(REAL)) {
    console.log(`books: real frames not found in ${REAL}; set K2_SHARED_DIR to the shared folder. Skipped.`)
    return
  }
  const binance = binanceStreams()
  const kraken = krakenStreams()
  let before = loadavg()[0] ?? 0
  await compare({
    id: 'books-apply',
    title: 'Order book: applying real Binance diff-depth deltas (14 symbols from their REST snapshots)',
    unit: 'deltas',
    ...subjects(binance, false),
    target: 'K2 ≥ 2× tardis-dev (issue 13)',
    note: () => `Apply only: each run rebuilds every book from its snapshot (timed too) and applies all its deltas. ${load(before)}`,
  })
  before = loadavg()[0] ?? 0
  await compare({
    id: 'books-apply-top',
    title: 'Order book: real Binance deltas, reading best bid and ask after each (what a Quote needs)',
    unit: 'deltas',
    ...subjects(binance, true),
    note: () => `The storage choice: a Map is cheapest to update but must sort again whenever a level comes or goes. ${load(before)}`,
  })
  before = loadavg()[0] ?? 0
  const k = subjects(kraken, false, 1000)
  await compare({
    id: 'books-kraken',
    title: 'Order book: real Kraken book updates (20 pairs, depth 1000), with CRC32 verification',
    unit: 'updates',
    reference: k.reference,
    subjects: [...(k.subjects.slice(0, 1) as Subject[]), ...krakenChecksumSubjects(kraken)],
    note: () =>
      `tardis-dev and the first K2 row apply without checking; the others verify every update's checksum on the wire text (the last also parses each update from its v2 frame, derived from the real v1 text). ${load(before)}`,
  })
}
