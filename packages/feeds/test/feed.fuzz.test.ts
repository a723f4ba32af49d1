import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type CanonicalSymbol, EXCHANGES } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import { HOSTILE_KINDS } from '../src/testing/hostile-frames.js'
import { caughtUp, expectExactlyTape, type Harness, harness, subscribed } from './feed-harness.js'
import { FUZZ_SCALE, pick, rng } from './fuzz.js'
import { sleep, waitFor } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const ROUNDS = 60 * FUZZ_SCALE

// A full collection before each heap reading, so the readings compare live memory, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const liveHeap = () => {
  gc()
  return process.memoryUsage().heapUsed
}
const PAST = 80 // printed before the feed connects: Kraken's and Coinbase's subscribe snapshots carry them
const SNAPSHOT = { binance: 0, kraken: 50, coinbase: 100, bitstamp: 0 } as const

// A fuzzed exchange on loopback: every round interleaves valid trades with hostile frames of random
// kinds (each carrying the next real id), text and binary. The feed must emit every valid trade
// exactly once, dead-letter every hostile frame, stay on its one connection, and keep the process
// responsive (a timer fires in every round) with bounded memory.
describe.each(EXCHANGES)('%s feed on a fuzzed simulator (seeded)', (exchange) => {
  it(`${ROUNDS} rounds of valid trades and hostile frames of ${HOSTILE_KINDS.length} kinds`, async () => {
    const rand = rng(31_337 + exchange.length)
    h = await harness(exchange, {}, { pastTrades: PAST })
    await subscribed(h)
    let ticks = 0
    const ticker = setInterval(() => ticks++, 1)
    const heapBefore = liveHeap()
    let hostile = 0
    let dead = 0
    const kinds = new Set<string>()
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const ticksBefore = ticks
        for (let i = 0; i < 25; i++) {
          if (rand() < 0.5) {
            const symbol = pick(rand, h.feed.symbols) as CanonicalSymbol
            const kind = pick(rand, HOSTILE_KINDS)
            kinds.add(kind)
            hostile += h.sim.sendHostile(kind, symbol)
          } else h.sim.publish(1 + Math.floor(rand() * 3), { perFrame: 1 + Math.floor(rand() * 3) })
        }
        await waitFor(() => h?.feed.stats().dlq === hostile, `round ${round}: every hostile frame dead-lettered`)
        await caughtUp(h)
        dead += h.dlq.length
        h.dlq.length = 0 // the harness keeps raw frames; this test keeps counts, so memory is the feed's
        await sleep(1)
        expect(ticks, `round ${round}: the timer kept firing`).toBeGreaterThan(ticksBefore)
      }
    } finally {
      clearInterval(ticker)
    }
    await caughtUp(h)
    const from = Object.fromEntries(h.feed.symbols.map((s) => [s, Math.max(0, PAST - SNAPSHOT[exchange])]))
    expectExactlyTape(h, from)
    const stats = h.feed.stats()
    expect(hostile).toBeGreaterThan(ROUNDS * 8)
    expect(kinds.size).toBe(HOSTILE_KINDS.length)
    expect(dead).toBe(hostile)
    expect(stats.dlq).toBe(hostile)
    expect(h.errors.filter((e) => e.code === 'INTERNAL')).toEqual([])
    expect(h.gaps).toEqual([])
    expect(h.sim.connectionsTotal).toBe(1)
    expect(stats.buffered).toBeLessThanOrEqual(10_000)
    expect(Object.values(stats.symbols).every((s) => !s.healing)).toBe(true)
    // Bounded: the feed keeps no frame; the live heap grew by the trades the test itself keeps (a few
    // hundred bytes each), far less than the hostile frames that went through (tens of MB).
    const grown = liveHeap() - heapBefore
    expect(grown).toBeLessThan(16 * 2 ** 20 * FUZZ_SCALE)
  }, 120_000)
})
