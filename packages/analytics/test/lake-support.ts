import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bucketStart, type Candle, parseTimeframe, type Trade } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach } from 'vitest'

/** A new lake in a temp dir per test, closed and removed after it. */
export function useTempLake(opts: { clock?: () => number } = {}): { dir: string; lake: Lake } {
  const fx = {} as { dir: string; lake: Lake }
  beforeEach(async () => {
    fx.dir = mkdtempSync(join(tmpdir(), 'k2-analytics-'))
    fx.lake = await openLake(join(fx.dir, 'lake'), opts.clock ? { clock: opts.clock } : {})
  })
  afterEach(async () => {
    await fx.lake?.close()
    rmSync(fx.dir, { recursive: true, force: true })
  })
  return fx
}

export const T0 = Date.UTC(2024, 2, 1) * 1000 // 2024-03-01T00:00:00Z, µs

/** A deterministic pseudo-random source (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Trades with what breaks naive candles: ties in ts (ids "9" and "10" in one µs), prices and sizes
 * whose float sums drift (0.1, 0.2, 1e-7), long empty stretches, two symbols and two exchanges.
 */
export function genTrades(n: number, seed: number, opts: { start?: number; spanUs?: number; firstId?: number } = {}): Trade[] {
  const r = rng(seed)
  const start = opts.start ?? T0
  const span = opts.spanUs ?? 6 * 3_600_000_000
  const out: Trade[] = []
  const nextId = new Map<string, number>()
  let ts = start
  for (let i = 0; i < n; i++) {
    const jump = r()
    if (jump < 0.01)
      ts += Math.floor(r() * 40) * 60_000_000 // an empty stretch of minutes
    else if (jump > 0.3) ts += Math.floor(r() * (span / n) * 2)
    if (ts >= start + span) ts = start + Math.floor(r() * span) // late trades: out of ts order
    const exchange = r() < 0.8 ? 'binance' : 'kraken'
    const symbol = r() < 0.6 ? 'BTC-USDT' : 'ETH-USDT'
    const k = `${exchange}/${symbol}`
    const id = (nextId.get(k) ?? opts.firstId ?? 7) + 1
    nextId.set(k, id)
    const pick = r()
    // Prices of 10^7 and more, and 9–12 decimal places, take SQL's slower exact path (printed decimals).
    const price =
      pick < 0.2 ? 0.1 : pick < 0.4 ? 0.2 : pick < 0.45 ? 12_345_678.5 : pick < 0.5 ? 0.000123456789 : (Math.round(r() * 1e8) + 1e4) / 1e4
    const q = r()
    const qty =
      q < 0.2 ? 0.1 : q < 0.3 ? 1e-7 : q < 0.4 ? 0.3 : q < 0.45 ? Math.round(r() * 1e11 + 1) / 1e11 : Math.round(r() * 1e9 + 1) / 1e8
    out.push({ type: 'trade', exchange, symbol, id: String(id), price, qty, side: r() < 0.5 ? 'buy' : 'sell', ts, recvTs: ts + 500 })
  }
  return out
}

/** A decimal as BigInt units at scale 24, from JS's shortest round-trip text (which may use an exponent). */
function scaled(x: number): bigint {
  const [mant = '', exp = '0'] = String(x).split('e')
  const [int = '', frac = ''] = mant.split('.')
  const shift = 24 + Number(exp) - frac.length
  const digits = BigInt(int + frac)
  return shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift)
}

function text(units: bigint, scale: number): string {
  const d = units.toString().padStart(scale + 1, '0')
  const s = `${d.slice(0, -scale)}.${d.slice(-scale)}`.replace(/0+$/, '').replace(/\.$/, '')
  return s
}

/** Candles computed independently of K2's code: BigInt decimals, a sort by (ts, id length, id). */
export function referenceCandles(
  trades: readonly Trade[],
  timeframe: string,
  offset = 0,
): (Candle & { exact: [string, string, string] })[] {
  const tf = parseTimeframe(timeframe)
  const groups = new Map<string, Trade[]>()
  for (const t of trades) {
    const k = `${t.exchange}|${t.symbol}|${String(bucketStart(t.ts, tf, offset)).padStart(20, '0')}`
    groups.set(k, [...(groups.get(k) ?? []), t])
  }
  return [...groups.keys()].sort().map((k) => {
    const ts = [...(groups.get(k) as Trade[])].sort((a, b) => a.ts - b.ts || a.id.length - b.id.length || (a.id < b.id ? -1 : 1))
    const first = ts[0] as Trade
    let vol = 0n
    let quote = 0n
    let buy = 0n
    for (const t of ts) {
      const q = scaled(t.qty)
      vol += q
      quote += (scaled(t.price) * q) / 10n ** 24n
      if (t.side === 'buy') buy += q
    }
    const exact: [string, string, string] = [text(vol, 24), text(quote, 24), text(buy, 24)]
    const [volume, quoteVolume, buyVolume] = exact.map(Number) as [number, number, number]
    const high = Math.max(...ts.map((t) => t.price))
    const low = Math.min(...ts.map((t) => t.price))
    return {
      exchange: first.exchange,
      symbol: first.symbol,
      timeframe: tf.timeframe,
      start: bucketStart(first.ts, tf, offset),
      open: first.price,
      high,
      low,
      close: (ts.at(-1) as Trade).price,
      volume,
      quoteVolume,
      trades: ts.length,
      buyVolume,
      vwap: Math.min(high, Math.max(low, quoteVolume / volume)),
      complete: true,
      source: 'trades' as const,
      exact,
    }
  })
}
