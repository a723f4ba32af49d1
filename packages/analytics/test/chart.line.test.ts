import { describe, expect, it } from 'vitest'
import { CHART_COLORS, lineChart, lineChartSpec, renderSvg } from '../src/index.js'
import { MINUTE, NOON, randomWalk } from './chart-fixtures.js'

describe('lineChartSpec', () => {
  it('draws one column over time (ms, UTC scale), leaving out rows without a value', () => {
    const candles = randomWalk(4).map((c, i) => (i === 2 ? { ...c, vwap: Number.NaN } : c))
    const spec = lineChartSpec(candles, { y: 'vwap' })
    expect((spec.data as { values: unknown[] }).values).toEqual(
      [0, 1, 3].map((i) => ({ time: (NOON + i * MINUTE) / 1000, value: candles[i]?.vwap })),
    )
    const encoding = spec.encoding as Record<string, { field: string; scale?: { type: string }; title?: string }>
    expect(encoding.x).toMatchObject({ field: 'time', type: 'temporal', scale: { type: 'utc' }, title: 'start (UTC)' })
    expect(encoding.y).toMatchObject({ field: 'value', title: 'vwap' })
    expect(spec.mark).toMatchObject({ type: 'line', color: CHART_COLORS.line })
  })

  it('colors one line per series, and renders one path per series', async () => {
    const rows = [0, 1, 2].flatMap((i) => [
      { ts: NOON + i * MINUTE, ret: i / 100, symbol: 'BTC-USDT' },
      { ts: NOON + i * MINUTE, ret: -i / 100, symbol: 'ETH-USDT' },
    ])
    const spec = lineChartSpec(rows, { x: 'ts', y: 'ret', series: 'symbol' })
    expect((spec.encoding as Record<string, unknown>).color).toEqual({ field: 'series', type: 'nominal', title: 'symbol' })
    const svg = await renderSvg(spec)
    const lines = svg.match(/<path[^>]*aria-roledescription="line mark"[^>]*>/g) ?? []
    expect(lines).toHaveLength(2)
    expect(await lineChart(rows, { x: 'ts', y: 'ret', series: 'symbol' }).toSVG()).toBe(svg)
  })

  it('refuses a time that is not epoch µs', () => {
    expect(() => lineChartSpec([{ start: '2026-01-05', vwap: 1 }], { y: 'vwap' })).toThrow(/row 0: start must be epoch microseconds/)
  })
})
