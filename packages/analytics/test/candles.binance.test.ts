import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ohlcv } from '@k2/analytics'
import { describe, expect, it } from 'vitest'

// 1m candles from real Binance futures trades against what Binance's own kline says for those minutes.
// The expected kline is computed here from the CSV's decimal strings with BigInt, as Binance sums
// decimals exactly: open = first trade, close = last, volume / taker-buy volume as decimal strings.

const FIXTURE = fileURLToPath(new URL('./fixtures/binance-futures_trades_BTCUSDT_2020-02-22_0001-0004.csv', import.meta.url))
const SHARED = process.env.K2_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url))
const WHOLE = join(SHARED, 'hist/binance-futures-um/BTCUSDT/tardis_binance-futures_trades_BTCUSDT_2020-02-22_0000-0205.csv')

interface Row {
  ts: number
  id: string
  side: string
  price: string
  amount: string
}

function readCsv(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n')
  expect(header).toBe('exchange,symbol,timestamp,local_timestamp,id,side,price,amount')
  return lines.map((l) => {
    const [, , ts, , id, side, price, amount] = l.split(',') as string[]
    return { ts: Number(ts), id: id as string, side: side as string, price: price as string, amount: amount as string }
  })
}

function big(text: string, scale: number): bigint {
  const [int, frac = ''] = text.split('.')
  return BigInt(`${int}${frac.padEnd(scale, '0')}`)
}

function decimalText(m: bigint, scale: number): string {
  const d = m.toString().padStart(scale + 1, '0')
  const text = `${d.slice(0, -scale)}.${d.slice(-scale)}`.replace(/0+$/, '').replace(/\.$/, '')
  return text
}

/** Binance's kline for each minute: open, high, low, close, volume, trades, taker-buy base volume. */
function klines(rows: Row[]) {
  const byMinute = new Map<number, Row[]>()
  for (const r of rows) {
    const m = r.ts - (r.ts % 60_000_000)
    byMinute.set(m, [...(byMinute.get(m) ?? []), r])
  }
  return [...byMinute.entries()].map(([start, rs]) => {
    // Binance orders a minute's trades by trade id (its ids are sequential)
    const sorted = [...rs].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
    const prices = sorted.map((r) => big(r.price, 8))
    const volume = sorted.reduce((s, r) => s + big(r.amount, 8), 0n)
    const buy = sorted.filter((r) => r.side === 'buy').reduce((s, r) => s + big(r.amount, 8), 0n)
    // biome-ignore lint/complexity/useMathMinMax: BigInt, which Math.max does not take
    const max = prices.reduce((a, b) => (a > b ? a : b))
    // biome-ignore lint/complexity/useMathMinMax: BigInt, which Math.min does not take
    const min = prices.reduce((a, b) => (a < b ? a : b))
    return {
      start,
      open: Number(sorted[0]?.price),
      high: Number(decimalText(max, 8)),
      low: Number(decimalText(min, 8)),
      close: Number(sorted[sorted.length - 1]?.price),
      volume: Number(decimalText(volume, 8)),
      trades: sorted.length,
      buyVolume: Number(decimalText(buy, 8)),
    }
  })
}

function candlesOf(rows: Row[]) {
  const trades = rows.map((r) => ({
    exchange: 'binance',
    symbol: 'BTC-USDT',
    ts: r.ts,
    id: r.id,
    side: r.side,
    price: Number(r.price),
    qty: Number(r.amount),
  }))
  return ohlcv(trades as never[], '1m').map((c) => ({
    start: c.start,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    trades: c.trades,
    buyVolume: c.buyVolume,
  }))
}

describe("1m candles from Binance futures trades match Binance's klines", () => {
  it('three complete minutes (fixture excerpt)', () => {
    const rows = readCsv(FIXTURE)
    const expected = klines(rows)
    expect(expected).toHaveLength(3)
    expect(candlesOf(rows)).toEqual(expected)
  })

  it.runIf(existsSync(WHOLE))('every minute of the whole shared file (9,999 trades)', () => {
    const rows = readCsv(WHOLE)
    const expected = klines(rows)
    expect(expected.length).toBeGreaterThan(120)
    // the first and last minutes are cut by the file's ends; within the file they still agree trade for trade
    expect(candlesOf(rows)).toEqual(expected)
  })

  if (!existsSync(WHOLE))
    console.warn(`candles.binance: ${WHOLE} not found (set K2_SHARED_DIR to the shared folder); the whole-file check is skipped`)
})
