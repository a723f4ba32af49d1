import { type CanonicalSymbol, EXCHANGES, type Exchange, K2Error, TradeSchema } from '@k2/core'
import { describe, expect, it } from 'vitest'
import type { ExchangeAdapter, FeedChannel, ParsedFrame } from '../src/adapters/adapter.js'
import { scanBinanceTrade } from '../src/adapters/binance-scan.js'
import { scanBitstampTrade } from '../src/adapters/bitstamp-scan.js'
import { scanCoinbaseTrades } from '../src/adapters/coinbase-scan.js'
import { SymbolMap } from '../src/adapters/fields.js'
import { createAdapter } from '../src/adapters/index.js'
import { scanKrakenTrades } from '../src/adapters/kraken-scan.js'
import { HOSTILE_KINDS, hostileFrame } from '../src/testing/hostile-frames.js'
import { protocolFor } from '../src/testing/sim-frames.js'
import { Tape } from '../src/testing/tape.js'
import { FUZZ_SCALE, mutate, pick, randomJson, rng } from './fuzz.js'
import { fixture, sharedReal } from './helpers.js'
import { deriveV2, withSnapshots } from './kraken-v2-frames.js'

const SYMBOLS: Record<Exchange, CanonicalSymbol[]> = {
  binance: ['BTC-USDT', 'ETH-USDT'],
  kraken: ['BTC-USD', 'ETH-USD'],
  coinbase: ['BTC-USD', 'ETH-USD'],
  bitstamp: ['BTC-USD', 'ETH-USD'],
}

/** Well-formed frames to mutate: the simulator's (batches, snapshots), real ones, control frames. */
function seeds(exchange: Exchange, channel: FeedChannel): string[] {
  const tape = new Tape(exchange, SYMBOLS[exchange], 5)
  const protocol = protocolFor(exchange, channel)
  const state = { subscribed: new Set(SYMBOLS[exchange]), sequence: 0, heartbeats: true }
  const sim: string[] = []
  for (let i = 0; i < 60; i++) {
    const symbol = SYMBOLS[exchange][i % 2] as CanonicalSymbol
    sim.push(
      ...protocol.trades(
        state,
        Array.from({ length: 1 + (i % 4) }, () => tape.next(symbol)),
      ),
    )
  }
  sim.push(
    ...protocol.subscribed(state, SYMBOLS[exchange], ['QQQ-USD'], 3, tape),
    ...protocol.pong(state, 4),
    protocol.heartbeat(state) ?? '',
  )
  const real = {
    binance: fixture('binance-aggtrade.jsonl'),
    kraken: withSnapshots(deriveV2(fixture('kraken-v1-trade.jsonl'))),
    coinbase: sharedReal('coinbase-advanced-market-trades.jsonl') ?? [],
    bitstamp: [...fixture('bitstamp-trade.jsonl'), ...fixture('bitstamp-control.jsonl')],
  }[exchange]
  return [...sim, ...real].filter((f) => f.length > 0)
}

/** The adapter's fast path alone, or undefined where the frame is not of its exact layout. */
function fastPath(exchange: Exchange, channel: FeedChannel, frame: string, map: SymbolMap): ParsedFrame | undefined {
  switch (exchange) {
    case 'binance':
      return scanBinanceTrade(frame, 1, map, channel === 'aggTrades')
    case 'kraken':
      return scanKrakenTrades(frame, 1, map)
    case 'coinbase':
      return scanCoinbaseTrades(frame, 1, map)
    case 'bitstamp':
      return scanBitstampTrade(frame, 1, map)
  }
}

/** The same frame in a layout no fast path takes (spaces after every token): the JSON.parse path decides. */
function slowPath(adapter: ExchangeAdapter, frame: string): ParsedFrame {
  return adapter.parse(JSON.stringify(JSON.parse(frame), null, 1), 1)
}

function isJson(frame: string): boolean {
  try {
    JSON.parse(frame)
    return true
  } catch {
    return false
  }
}

/** What holds for every input: a result (no throw), bounded errors, valid trades; the fast path agrees with JSON.parse. */
function check(c: Case, frame: string, tally: { fast: number }): void {
  const { exchange, channel, adapter, map } = c
  let r: ParsedFrame
  try {
    r = adapter.parse(frame, 1)
  } catch (err) {
    throw new Error(`parse threw on ${JSON.stringify(frame.slice(0, 200))}: ${String(err)}`)
  }
  const where = JSON.stringify(frame.slice(0, 200))
  expect(['trades', 'ack', 'rejected', 'heartbeat', 'reconnect', 'ignored', 'error'], where).toContain(r.kind)
  if (r.kind === 'error') {
    expect(K2Error.isInstance(r.error), where).toBe(true)
    expect(r.error.code, `${where}: ${r.error.message}`).toBe('PROTOCOL') // INTERNAL would be an adapter bug
    expect(r.error.message.length, where).toBeLessThanOrEqual(300)
    expect((r.error.frame ?? '').length, where).toBeLessThanOrEqual(300)
  }
  if (r.kind === 'rejected') expect(r.error.message.length, where).toBeLessThanOrEqual(400)
  if (r.kind === 'trades') {
    expect(isJson(frame), `a trade from invalid JSON: ${where}`).toBe(true)
    for (const t of r.trades) {
      expect(TradeSchema.safeParse(t).success, `${where} → ${JSON.stringify(t)}`).toBe(true)
      expect(t.price > 0 && t.qty > 0 && Number.isFinite(t.price) && Number.isFinite(t.qty), where).toBe(true)
    }
  }
  const fast = fastPath(exchange, channel, frame, map)
  if (fast !== undefined) {
    tally.fast++
    expect(isJson(frame), `the fast path took invalid JSON: ${where}`).toBe(true)
    expect(fast, `fast path ≠ JSON.parse path on ${where}`).toEqual(slowPath(adapter, frame))
    expect(r, where).toEqual(fast)
  }
}

interface Case {
  exchange: Exchange
  channel: FeedChannel
  adapter: ExchangeAdapter
  /** A symbol map like the adapter's, for calling its fast path alone. */
  map: SymbolMap
}

const CASES = [...EXCHANGES.map((e) => [e, 'trades'] as const), ['binance', 'aggTrades'] as const]

describe.each(CASES)('%s %s adapter under fuzzing (seeded)', (exchange, channel) => {
  const adapter = createAdapter(exchange, { symbols: SYMBOLS[exchange], channel })
  const map = new SymbolMap(
    SYMBOLS[exchange],
    (s) => adapter.toNative(s),
    (n) => adapter.toCanonical(n),
  )
  const c: Case = { exchange, channel, adapter, map }
  const base = seeds(exchange, channel)

  it('takes every seed frame it should on its fast path, with the JSON.parse path’s result', () => {
    const tally = { fast: 0 }
    for (const f of base) check(c, f, tally)
    // The simulator's trade frames are in each exchange's exact layout.
    expect(tally.fast).toBeGreaterThanOrEqual(60)
  })

  it(`${2000 * FUZZ_SCALE} mutated real and simulated frames: never a throw, bounded errors, fast path = JSON.parse path`, () => {
    const rand = rng(9_001 + exchange.length)
    const tally = { fast: 0 }
    for (let i = 0; i < 2000 * FUZZ_SCALE; i++) check(c, mutate(rand, pick(rand, base), base), tally)
    // Some mutations keep a frame valid (a digit changed): the fast path must have met those too.
    expect(tally.fast).toBeGreaterThan(50 * FUZZ_SCALE)
  })

  it(`${500 * FUZZ_SCALE} random JSON values in the protocols' vocabulary, deeply nested ones included`, () => {
    const rand = rng(77 + exchange.length)
    const tally = { fast: 0 }
    for (let i = 0; i < 500 * FUZZ_SCALE; i++) check(c, randomJson(rand), tally)
  })

  it('dead-letters every hostile kind built on every seed symbol, as text and as bytes', () => {
    const tape = new Tape(exchange, SYMBOLS[exchange], 2)
    const protocol = protocolFor(exchange, channel)
    for (const symbol of SYMBOLS[exchange]) {
      for (const kind of HOSTILE_KINDS) {
        const frame = hostileFrame(kind, exchange, protocol, tape.upcoming(symbol))
        const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame) : frame
        for (const input of [typeof frame === 'string' ? frame : new TextDecoder().decode(frame), bytes]) {
          const r = adapter.parse(input as string, 1)
          expect(r.kind, kind).toBe('error')
        }
      }
    }
  })
})
