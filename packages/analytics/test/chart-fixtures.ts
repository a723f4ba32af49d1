import type { Candle } from '@k2/core'
import type { GoldCandleRow } from '../src/index.js'

/** 2026-01-05T12:00:00Z in epoch µs. */
export const NOON = Date.UTC(2026, 0, 5, 12) * 1000
export const MINUTE = 60_000_000

/** `n` one-minute candles of a seeded random walk (the same every run); candles 40 and 41 incomplete. */
export function randomWalk(n: number, seed = 7): Candle[] {
  let state = seed
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  let price = 94_000
  return Array.from({ length: n }, (_, i) => {
    const open = price
    const close = open * (1 + (random() - 0.5) * 0.004)
    const high = Math.max(open, close) * (1 + random() * 0.0015)
    const low = Math.min(open, close) * (1 - random() * 0.0015)
    const volume = 5 + random() * 40
    price = close
    return candle(i, { open, high, low, close, volume, complete: i !== 40 && i !== 41 })
  })
}

/** The i-th minute after NOON, with prices and volume as given. */
export function candle(i: number, c: Partial<Candle> & Pick<Candle, 'open' | 'high' | 'low' | 'close'>): Candle {
  const volume = c.volume ?? 1
  return {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1m',
    start: NOON + i * MINUTE,
    volume,
    quoteVolume: volume * c.close,
    trades: 3,
    buyVolume: volume / 2,
    vwap: (c.low + c.high) / 2,
    complete: true,
    source: 'trades',
    ...c,
  }
}

/** A candle as a gold.ohlcv row. */
export function goldRow(c: Candle): GoldCandleRow {
  return {
    exchange: c.exchange,
    symbol: c.symbol,
    timeframe: c.timeframe,
    start: c.start,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quote_volume: c.quoteVolume,
    trades: c.trades,
    buy_volume: c.buyVolume,
    vwap: c.vwap,
    complete: c.complete,
    source: c.source,
  }
}

/** The elements of one mark group (`<g class="mark-rect role-mark body_marks" …>…</g>`) of an SVG. */
export function markGroup(svg: string, name: string): string[] {
  const at = svg.indexOf(`role-mark ${name}"`)
  if (at < 0) return []
  const body = svg.slice(svg.indexOf('>', at) + 1, svg.indexOf('</g>', at))
  return body.match(/<(path|line)\b[^>]*\/>/g) ?? []
}

/** An attribute of an SVG element's text. */
export const attr = (element: string, name: string) => element.match(new RegExp(` ${name}="([^"]*)"`))?.[1]
