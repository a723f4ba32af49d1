import { rollup } from '@k2/analytics'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeLake, runK2 } from './lake-fixture.js'

describe('k2 rollup', () => {
  let fx: Awaited<ReturnType<typeof makeLake>>
  beforeAll(async () => {
    fx = await makeLake()
  }, 60_000)
  afterAll(() => fx?.cleanup())

  it('writes gold for every timeframe, says what it did, and a rerun is a no-op', async () => {
    const first = await runK2(['rollup', '--lake', fx.dir, '--timeframes', '1m,5m,1h', '--json'])
    expect(first.error).toBeUndefined()
    const r = JSON.parse(first.stdout)
    expect(r.mode).toBe('full')
    expect(typeof r.snapshotId).toBe('string')
    expect(r.rowsRead.trades).toBe(1800)
    // The candles it says it wrote are the ones gold holds.
    const gold = await runK2([
      'query',
      '--lake',
      fx.dir,
      '--format',
      'json',
      '--sql',
      'select timeframe, count(*)::int as n from {gold.ohlcv} group by 1 order by 1',
    ])
    const counts = Object.fromEntries(JSON.parse(gold.stdout).map((x: { timeframe: string; n: number }) => [x.timeframe, x.n]))
    expect(counts).toEqual(r.buckets)
    expect(counts['1m']).toBeGreaterThan(counts['5m'])
    // Off a terminal the progress is a plain log line on stderr; stdout is the summary.
    expect(first.err.at(-1)).toMatch(/^rollup: full, \d+ candles written from 1800 trades$/)

    const again = await runK2(['rollup', '--lake', fx.dir, '--timeframes', '1m,5m,1h'])
    expect(again.out[0]).toMatch(/^mode\s+unchanged/)
    expect(again.out).toContain('gold       snapshot none (nothing written)')
  })

  it('reports progress after each timeframe, the commit and retention', async () => {
    const fresh = await makeLake()
    try {
      const lake = await openLake(fresh.dir)
      const steps: string[] = []
      try {
        await rollup(lake, { timeframes: ['1m', '1h'], onProgress: (p) => steps.push(`${p.done}/${p.total} ${p.step}`) })
        await rollup(lake, { timeframes: ['1m', '1h'], onProgress: (p) => steps.push(`again ${p.step}`) })
      } finally {
        await lake.close()
      }
      expect(steps).toEqual(['1/4 1m candles', '2/4 1h candles', '3/4 commit', '4/4 retention'])
    } finally {
      fresh.cleanup()
    }
  })

  it('refuses a bad timeframe with exit 2', async () => {
    const bad = await runK2(['rollup', '--lake', fx.dir, '--timeframes', '1m,fortnight'])
    expect(bad.code).toBe(2)
    expect(String(bad.error)).toContain('"fortnight" is not a timeframe')
  })
})
