import type { CanonicalSymbol, Exchange } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { MalformedKind } from '../src/testing/sim-frames.js'
import { mulberry32 } from '../src/testing/tape.js'
import { caughtUp, expectExactlyTape, type Harness, harness, subscribed } from './feed-harness.js'
import { sleep, waitFor } from './helpers.js'

const MALFORMED: MalformedKind[] = ['garbage', 'truncated', 'wrong-types', 'unknown-type', 'unknown-symbol']
type Fault = 'skip' | 'truncate' | 'duplicate' | 'disconnect' | 'reconnect-request' | 'malformed' | 'silence'

// Bitstamp's global trade ids make a lost trade undetectable on a live connection, so it gets no skipped,
// truncated or silently dropped frames; what it misses while disconnected is recovered from its history after the reconnect.
const FAULTS: Record<Exchange, Fault[]> = {
  binance: ['skip', 'truncate', 'duplicate', 'disconnect', 'reconnect-request', 'malformed', 'silence'],
  kraken: ['skip', 'truncate', 'duplicate', 'disconnect', 'reconnect-request', 'malformed', 'silence'],
  coinbase: ['skip', 'truncate', 'duplicate', 'disconnect', 'malformed', 'silence'],
  bitstamp: ['duplicate', 'disconnect', 'reconnect-request', 'malformed'],
}

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('randomized fault schedule', () => {
  for (const exchange of ['binance', 'kraken', 'coinbase', 'bitstamp'] as const) {
    for (const seed of [11, 29]) {
      it(`${exchange} (seed ${seed}): the trades emitted equal the exchange's tape, exactly once each, in order per symbol`, async () => {
        const rand = mulberry32(seed * 7919 + exchange.length)
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
        h = await harness(
          exchange,
          { deadAfterMs: 400, pingIntervalMs: 100, subscribeTimeoutMs: 1_000, healthyAfterMs: 1 },
          { seed, heartbeatMs: 50 },
        )
        await subscribed(h)
        for (const s of h.feed.symbols) h.sim.publish(3, { symbol: s as CanonicalSymbol })
        await caughtUp(h)
        const applied: string[] = []
        for (let step = 0; step < 40; step++) {
          h.sim.publish(1 + Math.floor(rand() * 25), { perFrame: 1 + Math.floor(rand() * 4) })
          if (rand() < 0.45) {
            const fault = pick(FAULTS[exchange])
            applied.push(fault)
            switch (fault) {
              case 'skip':
                h.sim.skipNext(1 + Math.floor(rand() * 3))
                break
              case 'truncate':
                h.sim.truncateNext(1 + Math.floor(rand() * 2))
                break
              case 'duplicate':
                h.sim.duplicateNext(1 + Math.floor(rand() * 3))
                break
              case 'disconnect':
                h.sim.disconnectAll()
                break
              case 'reconnect-request':
                h.sim.requestReconnect(50 + Math.floor(rand() * 250))
                break
              case 'malformed':
                h.sim.sendMalformed(pick(MALFORMED))
                break
              case 'silence':
                h.sim.setSilent(true)
                h.sim.publish(5 + Math.floor(rand() * 10))
                await sleep(100 + rand() * 500)
                h.sim.setSilent(false)
                break
            }
          }
          await sleep(rand() * 30)
        }
        // A clean tail: each symbol's last trade reaches the feed, so any gap before it is visible.
        await waitFor(
          () => (h?.sim.subscribers() ?? 0) > 0 && h?.feed.stats().symbols[h.feed.symbols[0] as string]?.subscription === 'subscribed',
          'a live subscription',
          30_000,
        )
        await subscribed(h)
        for (const s of h.feed.symbols) h.sim.publish(3, { symbol: s as CanonicalSymbol })
        await caughtUp(h, 60_000)
        expectExactlyTape(h)
        expect(applied.length).toBeGreaterThan(5)
        expect(h.gaps.filter((g) => g.state === 'unhealed')).toEqual([])
        const stats = h.feed.stats()
        expect(stats.trades).toBe(h.feed.symbols.reduce((n, s) => n + h!.sim.trades(s as CanonicalSymbol).length, 0))
      }, 120_000)
    }
  }
})
