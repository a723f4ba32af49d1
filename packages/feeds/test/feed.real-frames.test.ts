import { type CanonicalSymbol, type Exchange, type Trade, TradeSchema } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { FeedChannel } from '../src/adapters/adapter.js'
import { createAdapter } from '../src/adapters/index.js'
import { type Harness, harness, subscribed } from './feed-harness.js'
import { fixture, SHARED_REAL, sharedReal, waitFor } from './helpers.js'
import { deriveV2, withSnapshots } from './kraken-v2-frames.js'

// Real captured trade frames of all four exchanges, replayed verbatim by the simulator to a live feed
// after it subscribed: every real trade must come out exactly once, subscribe snapshots included.
// The Coinbase Advanced Trade frames are AGPL-licensed and read from the shared folder only.

const coinbaseFrames = sharedReal('coinbase-advanced-market-trades.jsonl')
if (coinbaseFrames === undefined)
  console.warn(`feed.real-frames: ${SHARED_REAL} not found; the Coinbase replay is skipped (set K2_SHARED_DIR to the shared folder)`)
const binanceFrames = sharedReal('binance-aggtrade.jsonl') ?? fixture('binance-aggtrade.jsonl')
const krakenFrames = withSnapshots(deriveV2(fixture('kraken-v1-trade.jsonl')))
const bitstampFrames = fixture('bitstamp-trade.jsonl')

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** The trades in `frames`, read by a fresh adapter: what the feed must emit, each (symbol, id) once. */
function expected(exchange: Exchange, frames: readonly string[], channel: FeedChannel): Trade[] {
  const adapter = createAdapter(exchange, { channel })
  return frames.flatMap((f) => {
    const r = adapter.parse(f, 1)
    if (r.kind !== 'trades') throw new Error(`a real frame did not parse: ${r.kind}`)
    return r.trades
  })
}

async function replay(exchange: Exchange, frames: readonly string[], channel: FeedChannel = 'trades') {
  const want = expected(exchange, frames, channel)
  const symbols = [...new Set(want.map((t) => t.symbol))] as CanonicalSymbol[]
  h = await harness(exchange, { symbols, channels: [channel] }, { symbols, channel })
  await subscribed(h)
  h.sim.replay(frames)
  await waitFor(() => (h?.trades.length ?? 0) >= want.length, `${want.length} trades`)
  await new Promise((r) => setTimeout(r, 50)) // nothing more may come
  const key = (t: Trade) => `${t.symbol}:${t.id}`
  const got = h.trades
  expect(got.map(key).sort()).toEqual(want.map(key).sort())
  expect(new Set(got.map(key)).size).toBe(got.length)
  for (const s of symbols) {
    const ids = got.filter((t) => t.symbol === s).map((t) => Number(t.id))
    expect(ids, `${s} in id order`).toEqual([...ids].sort((a, b) => a - b))
  }
  for (const t of got) expect(TradeSchema.safeParse(t).success).toBe(true)
  expect(h.dlq).toEqual([])
  expect(h.gaps).toEqual([])
  return { got, want, symbols }
}

describe('real captured trade frames through a live feed, each trade exactly once', () => {
  it.skipIf(coinbaseFrames === undefined)(
    'coinbase: all 279 market_trades trades of the capture, the 200 of the two subscribe snapshots first',
    async () => {
      const { got, symbols } = await replay('coinbase', coinbaseFrames ?? [])
      expect(got).toHaveLength(279)
      expect(symbols.sort()).toEqual(['BTC-USD', 'ETH-USD'])
      // Coverage starts at each snapshot's oldest trade, and the live trades follow on without a gap.
      expect(h?.feed.stats().symbols['BTC-USD']).toMatchObject({ firstId: '1068571991' })
      expect(h?.feed.stats().symbols['ETH-USD']).toMatchObject({ firstId: '833140679' })
      for (const s of symbols) {
        const ids = got.filter((t) => t.symbol === s).map((t) => Number(t.id))
        expect((ids.at(-1) as number) - (ids[0] as number) + 1).toBe(ids.length)
      }
    },
  )

  it('kraken: v2 frames derived from the real v1 rows, a snapshot per pair first, every row once', async () => {
    const { got } = await replay('kraken', krakenFrames)
    expect(got).toHaveLength(deriveV2(fixture('kraken-v1-trade.jsonl')).reduce((n, d) => n + d.rows.length, 0))
  })

  it(`binance: every real @aggTrade frame (${binanceFrames.length}), contiguous per symbol`, async () => {
    const { got } = await replay('binance', binanceFrames, 'aggTrades')
    expect(got).toHaveLength(binanceFrames.length)
  })

  it('bitstamp: every real live_trades frame of the subscribed pairs (global ids, no gap detection)', async () => {
    const { got } = await replay('bitstamp', bitstampFrames)
    expect(got).toHaveLength(bitstampFrames.length)
  })
})
