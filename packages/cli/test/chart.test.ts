import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeLake, runK2 } from './lake-fixture.js'

describe('k2 chart', () => {
  let withGold: Awaited<ReturnType<typeof makeLake>>
  let tradesOnly: Awaited<ReturnType<typeof makeLake>>
  beforeAll(async () => {
    withGold = await makeLake({ rollup: true })
    tradesOnly = await makeLake()
  }, 120_000)
  afterAll(() => {
    withGold?.cleanup()
    tradesOnly?.cleanup()
  })

  const window = ['--from', '2026-11-24T00:00:00Z', '--to', '2026-11-24T00:30:00Z']

  it('draws an SVG of the gold candles, one body per candle', async () => {
    const file = join(withGold.root, 'btc.svg')
    const r = await runK2([
      'chart',
      '--lake',
      withGold.dir,
      '--exchange',
      'binance',
      '--symbol',
      'BTC-USDT',
      '--timeframe',
      '1m',
      ...window,
      '-o',
      file,
    ])
    expect(r.error).toBeUndefined()
    expect(r.err.at(-1)).toBe(`wrote ${file}: 30 candles of binance BTC-USDT 1m from gold.ohlcv`)
    const svg = readFileSync(file, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('binance BTC-USDT · 1m')
    expect(svg.match(/aria-label="2026-11-24 00:\d\d:00 UTC, open/g)).toHaveLength(30)
  })

  it('computes candles from trades when gold lacks them, and writes a PNG', async () => {
    const file = join(tradesOnly.root, 'btc.png')
    const r = await runK2([
      'chart',
      '--lake',
      tradesOnly.dir,
      '--exchange',
      'kraken',
      '--symbol',
      'BTC-USDT',
      '--timeframe',
      '5m',
      ...window,
      '-o',
      file,
    ])
    expect(r.error).toBeUndefined()
    expect(r.err.at(-1)).toBe(`wrote ${file}: 6 candles of kraken BTC-USDT 5m from silver.trades`)
    const png = readFileSync(file)
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(1440) // rendered at twice the chart's width
    expect(png.length).toBeGreaterThan(5000)
  })

  it('errors: no candles (exit 3), a bad extension or a missing option (exit 2)', async () => {
    const none = await runK2([
      'chart',
      '--lake',
      tradesOnly.dir,
      '--exchange',
      'coinbase',
      '--symbol',
      'BTC-USD',
      '-o',
      join(tradesOnly.root, 'x.svg'),
    ])
    expect(none.code).toBe(3)
    const ext = await runK2(['chart', '--lake', tradesOnly.dir, '--exchange', 'kraken', '--symbol', 'BTC-USDT', '-o', 'x.jpg'])
    expect(ext.code).toBe(2)
    expect((await runK2(['chart', '--lake', tradesOnly.dir, '--symbol', 'BTC-USDT', '-o', 'x.svg'])).code).toBe(2)
  })
})
