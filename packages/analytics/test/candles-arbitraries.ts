import fc from 'fast-check'
import type { RefTrade } from './candles-reference.js'

/** Generators of trade streams for the candle property tests. */

export const T0 = 1_700_000_000_000_000 // 2023-11-14, µs

/** A decimal with at most `decimals` decimals, as a string and as its double. */
export function decimal(maxInt: number, decimals: number): fc.Arbitrary<number> {
  return fc
    .integer({ min: 1, max: maxInt * 10 ** decimals })
    .map((n) => Number(`${Math.floor(n / 10 ** decimals)}.${String(n % 10 ** decimals).padStart(decimals, '0')}`))
}

export interface StreamShape {
  /** Largest step between consecutive trades (µs): big steps leave empty buckets. */
  maxStep: number
  price: fc.Arbitrary<number>
  qty: fc.Arbitrary<number>
  maxTrades: number
}

export const wideShape: StreamShape = {
  maxStep: 20 * 60_000_000,
  price: fc.oneof(decimal(100_000, 8), decimal(10, 8), decimal(70_000, 2)),
  qty: fc.oneof(decimal(1000, 8), decimal(5, 3)),
  maxTrades: 120,
}

/**
 * Trades of two symbols in ts order: steps of 0 (ties), a few ms, or many minutes (empty buckets);
 * ids unique but of varying length, so ties in ts are broken by id length, then bytes.
 */
export function tradeStream(shape: StreamShape = wideShape): fc.Arbitrary<RefTrade[]> {
  const step = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000_000 }), fc.integer({ min: 1, max: shape.maxStep }))
  const row = fc.record({
    step,
    symbol: fc.constantFrom('BTC-USDT', 'ETH-USDT'),
    price: shape.price,
    qty: shape.qty,
    side: fc.constantFrom('buy', 'sell', 'unknown') as fc.Arbitrary<'buy' | 'sell' | 'unknown'>,
  })
  return fc
    .tuple(fc.integer({ min: -86_400_000_000, max: 86_400_000_000 }), fc.array(row, { minLength: 1, maxLength: shape.maxTrades }))
    .chain(([start, rows]) =>
      fc.uniqueArray(fc.integer({ min: 1, max: 10 ** 7 }), { minLength: rows.length, maxLength: rows.length }).map((ids) => {
        let ts = T0 + start
        return rows.map((r, i) => {
          ts += r.step
          return { exchange: 'binance', symbol: r.symbol, ts, id: String(ids[i]), price: r.price, qty: r.qty, side: r.side }
        })
      }),
    )
}

/** The same trades in an arrival order where each is at most `lateness` µs behind the newest seen. */
export function arrivalOrder(trades: readonly RefTrade[], lateness: number): fc.Arbitrary<RefTrade[]> {
  return fc.array(fc.integer({ min: 0, max: lateness }), { minLength: trades.length, maxLength: trades.length }).map((delays) =>
    trades
      .map((t, i) => ({ t, at: t.ts + (delays[i] as number), i }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map((x) => x.t),
  )
}

export const TIMEFRAMES = ['1m', '5m', '30m', '1h', '1d', '7s', '90m'] as const
export const WIDTH: Record<(typeof TIMEFRAMES)[number], number> = {
  '1m': 60e6,
  '5m': 300e6,
  '30m': 1800e6,
  '1h': 3600e6,
  '1d': 86_400e6,
  '7s': 7e6,
  '90m': 5400e6,
}
