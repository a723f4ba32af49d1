import { JUPYTER_DISPLAY, type MimeBundle } from '@k2/core'
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { Chart, candlestickSpec, chart, displayCandles, VEGA_LITE_MIME } from '../src/index.js'
import { goldRow, markGroup, NOON, randomWalk } from './chart-fixtures.js'

const display = async (value: object): Promise<Record<string, unknown>> =>
  (value as { [JUPYTER_DISPLAY](): Promise<Record<string, unknown>> | Record<string, unknown> })[JUPYTER_DISPLAY]()

describe('chart(candles) in a notebook', () => {
  const candles = randomWalk(12)

  it('shows the Vega-Lite spec as v5 (what JupyterLab 4 renders), an SVG, and a line of text; no HTML', async () => {
    const bundle = await display(chart(candles))
    expect(Object.keys(bundle).sort()).toEqual(['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain'])
    expect(VEGA_LITE_MIME).toBe('application/vnd.vegalite.v5+json')
    // JupyterLab ranks text/html above Vega-Lite: an HTML table here would hide the chart
    expect(bundle['text/html']).toBeUndefined()
    const spec = bundle[VEGA_LITE_MIME] as Record<string, unknown>
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json')
    expect({ ...spec, $schema: undefined }).toEqual({ ...candlestickSpec(candles), $schema: undefined })
    expect(markGroup(bundle['image/svg+xml'] as string, 'body_marks')).toHaveLength(12)
    expect(bundle['text/plain']).toBe('binance BTC-USDT · 1m: 12 candles, 2026-01-05 12:00:00 – 2026-01-05 12:11:00 UTC')
  })

  it('leaves the SVG out when asked (it grows the notebook by ~0.8 KB a candle)', async () => {
    expect(Object.keys(await display(chart(candles, { svg: false }))).sort()).toEqual([VEGA_LITE_MIME, 'text/plain'])
  })

  it('serializes as its spec, renders as SVG, and hides its display method from keys', async () => {
    const c = chart(candles, { title: 'mine' })
    expect(c).toBeInstanceOf(Chart)
    expect(JSON.parse(JSON.stringify(c))).toEqual(candlestickSpec(candles, { title: 'mine' }))
    expect(Object.keys(c)).not.toContain(JUPYTER_DISPLAY)
    expect(await c.toSVG()).toMatch(/^<svg /)
  })
})

describe('displayCandles', () => {
  const rows = (html: string) =>
    [...(html.split('<tbody>')[1] ?? '').matchAll(/<tr>(.*?)<\/tr>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((t) => t[1]),
    )

  it('shows candles as an HTML table, start as exact ISO UTC, and returns the same array', async () => {
    const candles = randomWalk(3)
    const shown = displayCandles(candles)
    expect(shown).toBe(candles)
    const bundle = (await display(shown)) as unknown as MimeBundle
    expect(bundle['text/html']).toContain('<th>start</th>')
    expect(rows(bundle['text/html']).map((r) => r[3])).toEqual([
      '2026-01-05T12:00:00.000000Z',
      '2026-01-05T12:01:00.000000Z',
      '2026-01-05T12:02:00.000000Z',
    ])
    expect(bundle['text/plain']).toContain('2026-01-05T12:02:00.000000Z')
  })

  it('escapes HTML in every value', async () => {
    const hostile = [{ ...goldRow(randomWalk(1)[0] as never), exchange: '<img src=x onerror=alert(1)>' }]
    const html = ((await display(displayCandles(hostile))) as unknown as MimeBundle)['text/html']
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('shows an Arrow table of gold rows: its first rows, its size, a Timestamp start as ISO', async () => {
    const n = 30
    const table = new Table({
      symbol: vectorFromArray(
        Array.from({ length: n }, () => 'BTC-USDT'),
        new Utf8(),
      ),
      start: vectorFromArray(
        Array.from({ length: n }, (_, i) => NOON / 1000 + i * 60_000),
        new TimestampMillisecond(),
      ),
      close: vectorFromArray(
        Array.from({ length: n }, (_, i) => 100 + i),
        new Float64(),
      ),
    })
    expect(displayCandles(table)).toBe(table)
    const html = ((await display(table)) as unknown as MimeBundle)['text/html']
    const body = rows(html)
    expect(body).toHaveLength(21) // 20 rows and the footer
    expect(body[0]).toEqual(['BTC-USDT', '2026-01-05T12:00:00.000000Z', '100'])
    expect(html).toContain('… 10 more rows (30 in all)')
  })
})
