import { CHECK_NAMES, CheckReport, check } from '@k2/analytics'
import { type Candle, JUPYTER_DISPLAY, type MimeBundle } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { cleanCandles, makeTrades } from './check-fixtures.js'

async function failing(): Promise<CheckReport> {
  const { m1, m5 } = cleanCandles()
  for (const c of m1.slice(0, 7))
    c.vwap = c.high + 1 // 7 candles
  ;(m1[8] as Candle).vwap = -1
  return check([...m1, ...m5], { checks: ['candle.vwap-range', 'candle.ohlc-order'] })
}

describe('CheckReport', () => {
  it('summary(): the line the CLI prints, with counts in each check’s unit', async () => {
    expect((await failing()).summary()).toBe('check: 1 passed, 1 failed (candle.vwap-range: 8 candles)')
    const trades = makeTrades(60).filter((t) => t.id !== '1010')
    expect((await check(trades)).summary()).toBe('check: 4 passed, 1 failed (trade.id-gap: 1 range)')
    expect((await check(makeTrades(60))).summary()).toBe('check: 5 passed, 0 failed')
  })

  it('keeps the first N offending rows (default 5, configurable) and counts them all', async () => {
    const report = await failing()
    const vwap = report.failures[0]
    expect([vwap?.count, vwap?.examples.length]).toEqual([8, 5])
    const { m1 } = cleanCandles()
    for (const c of m1) c.vwap = 0
    const all = await check(m1, { checks: ['candle.vwap-range'], examples: 20 })
    expect([all.failures[0]?.count, all.failures[0]?.examples.length]).toEqual([10, 10])
    const none = await check(m1, { checks: ['candle.vwap-range'], examples: 0 })
    expect([none.failures[0]?.count, none.failures[0]?.examples]).toEqual([10, []])
  })

  it('toString(): the summary, a table of checks, and each failure’s rows with times as ISO', async () => {
    const text = String(await failing())
    const lines = text.split('\n')
    expect(lines[0]).toBe('check: 1 passed, 1 failed (candle.vwap-range: 8 candles)')
    expect(text).toMatch(/candle\.ohlc-order\s+candles\s+pass\s+0\s+candles\s+12/)
    expect(text).toContain('candle.vwap-range: 8 candles break: low ≤ vwap ≤ high (12 examined)')
    expect(text).toContain('2024-01-31T00:00:00.000000Z')
  })

  it('[Jupyter.display](): HTML tables (values escaped) and the text', async () => {
    const report = await failing()
    const bundle = report[JUPYTER_DISPLAY]() as MimeBundle
    expect(bundle['text/plain']).toBe(String(report))
    expect(bundle['text/html'].match(/<table/g)).toHaveLength(2) // the checks, then the failure's rows
    expect(bundle['text/html']).toContain('check: 1 passed, 1 failed (candle.vwap-range: 8 candles)')
    const clean = await check(makeTrades(10))
    expect((clean[JUPYTER_DISPLAY]() as MimeBundle)['text/html'].match(/<table/g)).toHaveLength(1)
    const { m1 } = cleanCandles()
    Object.assign(m1[0] as Candle, { symbol: '<b>BTC</b>' as Candle['symbol'], vwap: -1 }) // HTML in a value
    const html = ((await check(m1))[JUPYTER_DISPLAY]() as MimeBundle)['text/html']
    expect(html).toContain('&lt;b&gt;BTC&lt;/b&gt;')
    expect(html).not.toContain('<b>BTC')
  })

  it('is plain JSON, and ok only when every check passed', async () => {
    const report = await failing()
    const json = JSON.parse(JSON.stringify(report))
    expect(json.ok).toBe(false)
    expect(json.checks.map((c: { name: string }) => c.name)).toEqual(['candle.ohlc-order', 'candle.vwap-range'])
    expect(new CheckReport([]).ok).toBe(true)
    expect(CHECK_NAMES).toHaveLength(15)
  })

  it('options pick checks: checks and skip', async () => {
    const trades = makeTrades(20)
    expect((await check(trades, { skip: ['trade.price-jump', 'trade.cross-exchange'] })).checks.map((c) => c.name)).toEqual([
      'trade.duplicate-id',
      'trade.id-gap',
      'trade.ts-order',
    ])
    expect((await check(trades, { checks: ['trade.id-gap', 'candle.unique'] })).checks.map((c) => c.name)).toEqual(['trade.id-gap'])
  })
})
