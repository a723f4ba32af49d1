import { K2Error } from '@k2/core'
import { Bool, Float64, Int64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { CHART_COLORS, candlestickSpec } from '../src/index.js'
import { candle, goldRow, MINUTE, NOON, randomWalk } from './chart-fixtures.js'

type Layered = { name: string; layer: { name: string; mark: { type: string }; encoding: Record<string, { field?: string }> }[] }
type Unit = { name: string; mark: { type: string }; encoding: Record<string, unknown> }
const panels = (spec: ReturnType<typeof candlestickSpec>) => spec.vconcat as [Layered & { encoding: Record<string, unknown> }, Unit]

describe('candlestickSpec', () => {
  const candles = randomWalk(5)
  const spec = candlestickSpec(candles)

  it('is Vega-Lite v6 with the candles inline, compact, times in epoch ms', () => {
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json')
    const values = (spec.data as { values: Record<string, unknown>[] }).values
    expect(values).toHaveLength(5)
    expect(values[1]).toEqual({
      start: (NOON + MINUTE) / 1000,
      open: candles[1]?.open,
      high: candles[1]?.high,
      low: candles[1]?.low,
      close: candles[1]?.close,
      volume: candles[1]?.volume,
      trades: 3,
      vwap: candles[1]?.vwap,
      complete: true,
    })
  })

  it('draws a price panel (wick rule low→high, body bar open→close) above a volume panel, sharing x', () => {
    const [price, volume] = panels(spec)
    expect(price.name).toBe('price')
    const [wick, body] = price.layer
    expect(wick?.mark.type).toBe('rule')
    expect([wick?.encoding.y?.field, wick?.encoding.y2?.field]).toEqual(['low', 'high'])
    expect(body?.mark.type).toBe('bar')
    expect([body?.encoding.y?.field, body?.encoding.y2?.field]).toEqual(['open', 'close'])
    expect(volume.mark.type).toBe('bar')
    expect((volume.encoding.y as { field: string }).field).toBe('volume')
    expect(spec.resolve).toEqual({ scale: { x: 'shared' } })
  })

  it('puts time on a UTC scale spanning the candles, the body in the middle 80% of its bucket', () => {
    const [price] = panels(spec)
    const x = price.layer[0]?.encoding.x as { type: string; scale: { type: string; domain: number[] } }
    expect(x.type).toBe('temporal')
    expect(x.scale.type).toBe('utc')
    // 5 buckets padded to 12: 3 before, 4 after
    expect(x.scale.domain).toEqual([NOON / 1000 - 3 * 60_000, NOON / 1000 + 9 * 60_000])
    expect(spec.transform).toEqual(
      expect.arrayContaining([
        { calculate: 'datum.start + 30000', as: 'middle' },
        { calculate: 'datum.start + 6000', as: 'left' },
        { calculate: 'datum.start + 54000', as: 'right' },
      ]),
    )
  })

  it('colors up candles (close ≥ open) green and down candles red, bodies, wicks and volume alike', () => {
    const [price, volume] = panels(spec)
    const byDirection = { condition: { test: 'datum.close >= datum.open', value: CHART_COLORS.up }, value: CHART_COLORS.down }
    expect(price.encoding.color).toEqual(byDirection)
    expect(price.layer[1]?.encoding.stroke).toEqual(byDirection)
    expect(volume.encoding.color).toEqual(byDirection)
  })

  it('marks incomplete candles: faded and dashed, and the subtitle counts them', () => {
    const walk = candlestickSpec(randomWalk(50))
    const [price] = panels(walk)
    expect(price.encoding.opacity).toEqual({ condition: { test: '!datum.complete', value: 0.35 }, value: 1 })
    expect(price.layer[1]?.encoding.strokeDash).toEqual({ condition: { test: '!datum.complete', value: [3, 2] }, value: [] })
    expect((walk.title as { subtitle: string }).subtitle).toBe(
      '50 candles, 2026-01-05 12:00:00 – 2026-01-05 12:49:00 UTC · 2 incomplete (faded, dashed)',
    )
  })

  it('titles the chart by exchange, symbol and timeframe, unless told otherwise', () => {
    expect((spec.title as { text: string }).text).toBe('binance BTC-USDT · 1m')
    expect((candlestickSpec(candles, { title: 'mine' }).title as { text: string }).text).toBe('mine')
  })

  it('has tooltips with every OHLCV field, the time formatted in UTC', () => {
    const [price] = panels(spec)
    const tooltip = price.encoding.tooltip as { field: string; formatType?: string }[]
    expect(tooltip.map((t) => t.field)).toEqual(['start', 'open', 'high', 'low', 'close', 'volume', 'trades', 'vwap', 'complete'])
    expect(tooltip[0]).toMatchObject({ title: 'start (UTC)', formatType: 'utcFormat' })
  })

  it('reads gold rows and an Arrow table of gold rows (Timestamp or µs start) the same as candles', () => {
    const gold = candles.map(goldRow)
    expect(candlestickSpec(gold)).toEqual(spec)
    const column = <K extends keyof ReturnType<typeof goldRow>>(k: K) => gold.map((r) => r[k])
    const columns = {
      exchange: vectorFromArray(column('exchange'), new Utf8()),
      symbol: vectorFromArray(column('symbol'), new Utf8()),
      timeframe: vectorFromArray(column('timeframe'), new Utf8()),
      open: vectorFromArray(column('open'), new Float64()),
      high: vectorFromArray(column('high'), new Float64()),
      low: vectorFromArray(column('low'), new Float64()),
      close: vectorFromArray(column('close'), new Float64()),
      volume: vectorFromArray(column('volume'), new Float64()),
      trades: vectorFromArray(
        gold.map((r) => BigInt(r.trades as number)),
        new Int64(),
      ),
      vwap: vectorFromArray(column('vwap'), new Float64()),
      complete: vectorFromArray(column('complete'), new Bool()),
    }
    const micros = new Table({ start: vectorFromArray(column('start'), new Float64()), ...columns })
    expect(candlestickSpec(micros)).toEqual(spec)
    // Arrow hands out any Timestamp as ms
    const stamped = new Table({
      start: vectorFromArray(
        column('start').map((us) => us / 1000),
        new TimestampMillisecond(),
      ),
      ...columns,
    })
    expect(candlestickSpec(stamped)).toEqual(spec)
  })

  it('charts rows without exchange, symbol or timeframe (an ad-hoc query), the bucket told from the starts', () => {
    const rows = candles.map(({ start, open, high, low, close, volume }) => ({ start, open, high, low, close, volume }))
    const plain = candlestickSpec(rows)
    expect((plain.title as { text: string }).text).toBe('candles · 1m')
    expect(plain.transform).toContainEqual({ calculate: 'datum.start + 30000', as: 'middle' })
    expect(
      candlestickSpec(
        rows.filter((_, i) => i !== 1),
        { timeframe: '30s' },
      ).transform,
    ).toContainEqual({
      calculate: 'datum.start + 15000',
      as: 'middle',
    })
    expect(() => candlestickSpec(rows.slice(0, 1))).toThrow(/pass \{ timeframe: "1m" \}/)
  })

  it("leaves out empty buckets (all prices null, as fill: 'null' makes) and refuses a partly null candle", () => {
    const gold = candles.map(goldRow)
    const filled = [
      ...gold.slice(0, 2),
      { ...goldRow(candle(2, { open: 1, high: 1, low: 1, close: 1 })), open: null, high: null, low: null, close: null, volume: 0 },
      ...gold.slice(3),
    ]
    const values = (candlestickSpec(filled).data as { values: { start: number }[] }).values
    expect(values.map((v) => (v.start * 1000 - NOON) / MINUTE)).toEqual([0, 1, 3, 4])
    expect(() => candlestickSpec([{ ...(gold[0] as ReturnType<typeof goldRow>), close: null }])).toThrow(
      /candle 0: close must be a finite number, got null/,
    )
  })

  it('sorts candles by start', () => {
    expect(candlestickSpec([...candles].reverse())).toEqual(spec)
  })

  it('refuses candles of more than one series, and candles that break low ≤ open, close ≤ high', () => {
    const other = { ...candle(9, { open: 1, high: 1, low: 1, close: 1 }), symbol: 'ETH-USDT' }
    expect(() => candlestickSpec([...candles, other])).toThrow(/one series, these candles hold 2 .*filter them/)
    expect(() => candlestickSpec([candle(0, { open: 5, high: 4, low: 3, close: 4 })])).toThrow(K2Error)
    expect(() => candlestickSpec([{ ...goldRow(candles[0] as never), start: 1.5 }])).toThrow(/start must be epoch microseconds/)
  })

  it('charts no candles as an empty chart that says so', () => {
    const empty = candlestickSpec([])
    expect((empty.data as { values: unknown[] }).values).toEqual([])
    expect((empty.title as { text: string }).text).toBe('no candles')
  })
})
