import { K2Error } from '@k2/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHART_COLORS, candlestickSpec, candlestickSvg, renderSvg } from '../src/index.js'
import { attr, candle, markGroup, randomWalk } from './chart-fixtures.js'

// A viewer far from UTC: the axis and the labels must still say UTC times.
const zone = process.env.TZ
beforeAll(() => {
  process.env.TZ = 'America/New_York'
})
afterAll(() => {
  process.env.TZ = zone
})

/** x and width of a Vega rect path (`M x,y h w v h h -w Z`). */
function box(path: string): { x: number; width: number; height: number } {
  const [, x, , w, h] = (attr(path, 'd') ?? '').match(/^M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)/) ?? []
  return { x: Number(x), width: Number(w), height: Number(h) }
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])

describe('candlestickSvg', () => {
  const candles = randomWalk(100)
  let svg: string
  beforeAll(async () => {
    svg = await candlestickSvg(candles)
  })

  it('is an SVG document with one body, one wick and one volume bar per candle', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(markGroup(svg, 'body_marks')).toHaveLength(100)
    expect(markGroup(svg, 'wick_marks')).toHaveLength(100)
    expect(markGroup(svg, 'volume_marks')).toHaveLength(100)
  })

  it('fills each body green when it closed at or above its open, red below', () => {
    const fills = markGroup(svg, 'body_marks').map((p) => attr(p, 'fill'))
    expect(fills).toEqual(candles.map((c) => (c.close >= c.open ? CHART_COLORS.up : CHART_COLORS.down)))
    expect(new Set(fills).size).toBe(2) // the walk goes both ways
    const wicks = markGroup(svg, 'wick_marks').map((l) => attr(l, 'stroke'))
    expect(wicks).toEqual(fills)
  })

  it('fades and dashes the incomplete candles only', () => {
    const bodies = markGroup(svg, 'body_marks')
    const faded = bodies.flatMap((p, i) => (attr(p, 'opacity') === '0.35' ? [i] : []))
    expect(faded).toEqual([40, 41])
    expect(attr(bodies[40] as string, 'stroke-dasharray')).toBe('3,2')
    expect(attr(bodies[39] as string, 'stroke-dasharray')).toBe('')
    expect(attr(bodies[40] as string, 'aria-label')).toMatch(/^2026-01-05 12:40:00 UTC, open .*, incomplete$/)
  })

  it('labels the time axis in UTC, 24-hour, even where the local zone is not UTC', () => {
    expect(new Date(Date.UTC(2026, 0, 5, 12)).getHours()).toBe(7) // the zone took effect
    const labels = texts(svg)
    expect(labels).toEqual(expect.arrayContaining(['12:00', '12:30', '13:00', '13:30', 'time (UTC)']))
    expect(labels.filter((l) => /^0?7:\d\d|PM|AM/.test(l ?? ''))).toEqual([])
    expect(attr(markGroup(svg, 'body_marks')[0] as string, 'aria-label')).toBe(
      `2026-01-05 12:00:00 UTC, open ${candles[0]?.open}, high ${candles[0]?.high}, low ${candles[0]?.low}, close ${candles[0]?.close}, volume ${candles[0]?.volume}`,
    )
  })

  it('places candles by time: a gap in the candles is a gap in the chart', async () => {
    const gappy = randomWalk(30).filter((_, i) => i < 10 || i > 18) // minutes 10–18 missing
    const bodies = markGroup(await candlestickSvg(gappy), 'body_marks').map(box)
    const step = (bodies[1]?.x ?? 0) - (bodies[0]?.x ?? 0)
    expect(step).toBeGreaterThan(0)
    expect((bodies[10]?.x ?? 0) - (bodies[9]?.x ?? 0)).toBeCloseTo(10 * step, 6)
    expect(bodies[0]?.width).toBeCloseTo(0.8 * step, 6)
  })

  it('draws a flat candle (open = close) as a visible line, and one candle as one narrow candle', async () => {
    const flat = await candlestickSvg([
      candle(0, { open: 100, high: 101, low: 99, close: 100 }),
      candle(1, { open: 5, high: 5, low: 5, close: 5 }),
    ])
    for (const body of markGroup(flat, 'body_marks')) {
      expect(box(body).height).toBe(0)
      expect(attr(body, 'stroke')).toBe(CHART_COLORS.up)
      expect(attr(body, 'stroke-width')).toBe('1')
    }
    const one = markGroup(await candlestickSvg([candle(0, { open: 1, high: 3, low: 0.5, close: 2 })]), 'body_marks')
    expect(one).toHaveLength(1)
    expect(box(one[0] as string).width).toBeLessThan(720 / 10) // padded to 12 buckets, not the full width
  })

  it('escapes markup in titles', async () => {
    const escaped = await renderSvg(candlestickSpec(randomWalk(2), { title: '<script>alert(1)</script> & co' }))
    expect(escaped).not.toContain('<script>')
    expect(escaped).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co')
  })

  it("leaves the caller's spec as it was (Vega tags the data it ingests)", async () => {
    const spec = candlestickSpec(randomWalk(3))
    const before = structuredClone(spec)
    await renderSvg(spec)
    const first = (spec.data as { values: object[] }).values[0] as object
    expect(Object.getOwnPropertySymbols(first)).toEqual([])
    expect(spec).toStrictEqual(before)
  })

  it('renders no candles as an empty chart, and refuses a spec vega-lite cannot compile', async () => {
    expect(markGroup(await candlestickSvg([]), 'body_marks')).toEqual([])
    const error = await renderSvg({ $schema: 'x', mark: 'no-such-mark' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(K2Error)
    expect(error).toMatchObject({ code: 'VALIDATION' })
  })
})
