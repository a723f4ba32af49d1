import { describe, expect, it } from 'vitest'
import { CoinbaseAdapter } from '../src/adapters/coinbase.js'
import { coinbaseProtocol } from '../src/testing/protocols/coinbase.js'
import { Tape } from '../src/testing/tape.js'
import { adapterContract, parseAll } from './adapter-contract.js'
import { SHARED_REAL, sharedReal } from './helpers.js'

// The real Coinbase Advanced Trade frames are AGPL-licensed: they are read from the shared data folder,
// never copied into this repository (see fixtures/README.md).
const realTrades = sharedReal('coinbase-advanced-market-trades.jsonl')
const realControl = sharedReal('coinbase-advanced-control.jsonl')
const realHeartbeats = sharedReal('coinbase-advanced-heartbeats.jsonl')
const realTicker = sharedReal('coinbase-advanced-ticker.jsonl')
const absent = realTrades === undefined
if (absent)
  console.warn(
    `coinbase: real frames not found in ${SHARED_REAL}; the real-frame tests are skipped and the contract runs on simulator frames (set K2_SHARED_DIR to the shared folder to run them)`,
  )

/** Frames from the simulator's Coinbase protocol (used only when the real ones are absent). */
function simulatedFrames(): string[] {
  const tape = new Tape('coinbase', ['BTC-USD', 'ETH-USD'], 3)
  const p = coinbaseProtocol()
  const client = { subscribed: new Set(tape.symbols), sequence: 0, heartbeats: true }
  return Array.from(
    { length: 20 },
    () =>
      p.trades(
        client,
        [tape.next(), tape.next()].filter((t, _i, a) => t.symbol === a[0]?.symbol),
      )[0] as string,
  )
}

adapterContract(absent ? 'coinbase (simulator frames: real ones absent)' : 'coinbase market_trades (real frames)', {
  make: (symbols) => new CoinbaseAdapter(symbols ? { symbols } : {}),
  tradeFrames: realTrades ?? simulatedFrames(),
  symbols: ['BTC-USD', 'ETH-USD'],
  badEdits: [
    ['a price that is not a decimal', (f) => f.replace(/"price":"[^"]+"/, '"price":"n/a"')],
    ['a size sent as a number', (f) => f.replace(/"size":"([^"]+)"/, '"size":$1')],
    ['a side that is neither BUY nor SELL', (f) => f.replace(/"side":"(BUY|SELL)"/, '"side":"UNKNOWN"')],
    ['a trade id with letters', (f) => f.replace(/"trade_id":"(\d+)"/, '"trade_id":"$1abc"')],
    ['an unparseable time', (f) => f.replace(/"time":"[^"]+"/, '"time":"2026-13-45T99:00:00Z"')],
    ['an unknown event type', (f) => f.replace(/"type":"(snapshot|update)"/, '"type":"rewrite"')],
  ],
})

describe.skipIf(absent)('coinbase adapter on real Advanced Trade frames (read from ../shared/data/real)', () => {
  const frames = realTrades ?? []

  it('marks the first message a snapshot of 100 trades per product and sorts every event oldest first', () => {
    const a = new CoinbaseAdapter()
    const first = a.parse(frames[0] as string, 1)
    expect(first).toMatchObject({ kind: 'trades', snapshot: true })
    for (const f of frames) {
      const r = a.parse(f, 1)
      if (r.kind !== 'trades') throw new Error(r.kind)
      const ids = r.trades.map((t) => Number(t.id))
      expect(ids).toEqual([...ids].sort((x, y) => x - y))
    }
  })

  it('finds trade ids contiguous per product across snapshot and updates', () => {
    const { trades } = parseAll(new CoinbaseAdapter(), frames)
    const seen = new Map<string, Set<number>>()
    for (const t of trades) {
      const s = seen.get(t.symbol) ?? new Set<number>()
      s.add(Number(t.id))
      seen.set(t.symbol, s)
    }
    expect([...seen.keys()].sort()).toEqual(['BTC-USD', 'ETH-USD'])
    for (const ids of seen.values()) {
      const sorted = [...ids].sort((x, y) => x - y)
      expect((sorted.at(-1) as number) - (sorted[0] as number) + 1).toBe(sorted.length)
    }
  })

  it('inverts the maker side to the taker side and keeps µs times whose zeros Coinbase trimmed', () => {
    const a = new CoinbaseAdapter()
    const raw = JSON.parse(frames[0] as string) as {
      events: { trades: { trade_id: string; side: string; time: string; price: string }[] }[]
    }
    const r = a.parse(frames[0] as string, 1)
    if (r.kind !== 'trades') throw new Error(r.kind)
    for (const w of raw.events[0]?.trades ?? []) {
      const t = r.trades.find((x) => x.id === w.trade_id)
      expect(t?.side).toBe(w.side === 'SELL' ? 'buy' : 'sell')
      expect(t?.price).toBe(Number(w.price))
    }
    // "2026-08-09T21:05:38.50436Z" has five fraction digits: .504360 s.
    const trimmed = r.trades.find((t) => t.id === '1068572088')
    expect(trimmed?.ts).toBe(Date.UTC(2026, 7, 9, 21, 5, 38) * 1000 + 504_360)
  })

  it('reads subscriptions as acks, heartbeats as keep-alive, other channels as ignored', () => {
    const a = new CoinbaseAdapter()
    expect(a.parse(realControl?.[0] as string, 1)).toEqual({ kind: 'ack', symbols: ['BTC-USD', 'ETH-USD'] })
    for (const h of realHeartbeats ?? []) expect(a.parse(h, 1)).toEqual({ kind: 'heartbeat' })
    for (const t of (realTicker ?? []).slice(0, 20)) expect(a.parse(t, 1).kind).toBe('ignored')
    expect(a.parse('{"type":"error","message":"Failed to subscribe"}', 1)).toMatchObject({
      kind: 'rejected',
      error: { code: 'SUBSCRIPTION' },
    })
  })
})
