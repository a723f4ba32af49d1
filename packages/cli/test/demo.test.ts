import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DemoReport, demo, run } from '@k2/cli'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const tmp = mkdtempSync(join(tmpdir(), 'k2-demo-test-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const TIMEFRAMES = ['1m', '5m', '30m', '1h', '1d']

async function lakeFacts(dir: string) {
  const lake = await openLake(dir)
  try {
    const [trades] = await lake.sql`
      select count(*) as n, count(distinct (exchange, symbol, id)) as d, min(ts) as first, max(ts) as last
      from ${lake.ref('silver.trades')}`.rows()
    const gold = await lake
      .query('gold.ohlcv')
      .groupBy('timeframe')
      .aggregate((f) => ({ candles: f.count() }))
      .rows()
    const minutes = await lake.query('gold.ohlcv').where({ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1m' }).rows()
    return {
      trades: Number(trades?.n),
      distinct: Number(trades?.d),
      first: Number(trades?.first),
      last: Number(trades?.last),
      gold: Object.fromEntries(gold.map((g) => [g.timeframe, Number(g.candles)])),
      btcMinutes: minutes.length,
    }
  } finally {
    await lake.close()
  }
}

describe('k2 demo', () => {
  const lines: string[] = []
  let first: DemoReport
  beforeAll(async () => {
    // No --lake: the default, ./k2-lake, is taken from the directory the demo runs in.
    first = await demo({ seconds: 1.5, cwd: tmp, out: (l) => lines.push(l) })
  }, 120_000)

  it('leaves ./k2-lake with every printed trade stored exactly once, through all four faults', async () => {
    expect(first.lake).toBe(join(tmp, 'k2-lake'))
    expect(first.ok).toBe(true)
    expect(first.checks.filter((c) => !c.ok)).toEqual([])
    expect(first.printed).toBeGreaterThan(1000)
    expect(first.stored).toBe(first.printed)
    expect(first.lakeTrades).toBe(first.printed)
    expect(first.distinct).toBe(first.printed)
    const feed = (exchange: string) => first.feeds.find((s) => s.exchange === exchange)
    expect(feed('binance')?.gapsHealed).toBeGreaterThanOrEqual(1) // a trade-id gap, healed from REST
    expect(feed('kraken')?.dlq).toBeGreaterThanOrEqual(1) // a malformed frame, dead-lettered
    expect(feed('coinbase')?.reconnects).toBeGreaterThanOrEqual(1) // a dropped connection
    expect(first.feeds.every((s) => s.gapsUnhealed === 0)).toBe(true)
    const text = lines.join('\n')
    expect(text).toMatch(/bitstamp: connection \d+ ended: moving to a new connection: Bitstamp bts:request_reconnect/) // the server's request
    expect(text).toMatch(/kraken: dead letter: PROTOCOL/)
    expect(first.snapshotsWritten['silver.trades']).toBeGreaterThanOrEqual(1)
    expect(first.snapshotsWritten['gold.ohlcv']).toBe(1)
    expect(first.invariants.ok).toBe(true)
    expect(first.invariants.checks.length).toBeGreaterThanOrEqual(10)
  })

  it('rolls the market time up into 1m, 5m, 30m, 1h and 1d candles, ending now', async () => {
    const facts = await lakeFacts(first.lake)
    for (const tf of TIMEFRAMES) expect(facts.gold[tf], tf).toBeGreaterThan(0)
    const minutes = (first.market.to - first.market.from) / 60e6
    expect(minutes).toBeGreaterThan(30) // 1.5 s of trading covers 45 minutes of market time; 4 s two hours
    expect(facts.btcMinutes).toBeGreaterThanOrEqual(Math.floor(minutes)) // a candle for every minute
    expect(facts.first - first.market.from).toBeGreaterThanOrEqual(0) // … from the market's start
    expect(facts.first - first.market.from).toBeLessThan(60e6)
    expect(facts.last).toBe(first.market.to)
    expect(facts.last).toBeLessThanOrEqual(Date.now() * 1000)
  })

  it('prints each part of the report, and renders an SVG chart into the lake', () => {
    const text = lines.join('\n')
    for (const part of [
      'Feeds',
      'Lake commits',
      'Roll-up into gold.ohlcv (full)',
      'Last 1m candles, binance BTC-USDT',
      'Cross-exchange',
      'Time travel',
      'Checks',
      'Try next:',
    ]) {
      expect(text).toContain(part)
    }
    expect(text).toContain('Chart: ./k2-lake/charts/binance-BTC-USDT-1m.svg')
    expect(first.chart).toBe(join(tmp, 'k2-lake', 'charts', 'binance-BTC-USDT-1m.svg'))
    const svg = readFileSync(first.chart, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.match(/UTC, open /g)?.length).toBeGreaterThan(30) // one body per candle, each with its aria-label
    expect(text).toMatch(/✓ the exchanges printed (\d+) trades; the lake holds \1 \(\1 distinct\) of them/)
  })

  it('suggests three commands to try next, each of which runs where the demo ran', async () => {
    expect(first.tryNext).toHaveLength(3)
    const cwd = process.cwd()
    process.chdir(tmp) // the suggestions' paths (the default lake, a chart's -o) are the demo's cwd's
    try {
      for (const argv of first.tryNext) {
        if (argv[0] === 'demo' && !argv.includes('--help')) continue // a rerun: the next test runs one
        expect(await run(argv, { out: () => {} }), argv.join(' ')).toBe(0)
      }
    } finally {
      process.chdir(cwd)
    }
  })

  it('appends on a rerun: the market continues where the lake ends, and every check still passes', async () => {
    const before = await lakeFacts(first.lake)
    const out: string[] = []
    expect(await run(['demo', '--seconds', '1', '--lake', first.lake], { out: (l) => out.push(l) })).toBe(0)
    const text = out.join('\n')
    expect(text).toContain(`appending to ${before.trades.toLocaleString('en-US')} trades`)
    expect(text).toContain('Roll-up into gold.ohlcv (incremental)')
    expect(text).toContain('the roll-up before this run')
    const printed = Number(/✓ the exchanges printed (\d+) trades; the lake holds \1 \(\1 distinct\)/.exec(text)?.[1])
    expect(printed).toBeGreaterThan(0)
    const after = await lakeFacts(first.lake)
    expect(after.trades).toBe(before.trades + printed)
    expect(after.distinct).toBe(after.trades)
    expect(after.first).toBe(before.first)
    expect(after.last).toBeGreaterThan(before.last)
    expect(after.gold['1m']).toBeGreaterThanOrEqual(before.gold['1m'] ?? 0)
  }, 120_000)

  it('exits 1 when a check fails (a lake whose trades go back in time)', async () => {
    const dir = join(tmp, 'bad-lake')
    const lake = await openLake(dir)
    const trade = {
      exchange: 'kraken',
      symbol: 'SOL-USD',
      price: 150,
      qty: 1,
      side: 'buy',
      ts: 1_764_590_400_000_000,
      recv_ts: 1_764_590_400_000_000,
    } as const
    // id 2 an hour before id 1: trade.ts-order fails, whatever the demo adds
    await (await lake.table('silver.trades')).append([
      { ...trade, id: '1' },
      { ...trade, id: '2', ts: trade.ts - 3_600_000_000 },
    ])
    await lake.close()
    const out: string[] = []
    expect(await run(['demo', '--seconds', '0.5', '--lake', dir], { out: (l) => out.push(l) })).toBe(1)
    const text = out.join('\n')
    expect(text).toMatch(/✗ check: \d+ passed, 1 failed \(trade\.ts-order: 1 row\)/)
    expect(text).toMatch(/✓ every trade the exchanges printed is in silver.trades exactly once/)
    expect(text).toMatch(/^✗ the exchanges printed/m)
    expect(existsSync(join(dir, 'charts', 'binance-BTC-USDT-1m.svg'))).toBe(true) // the report is complete anyway
  }, 120_000)

  it('stops early on its signal (SIGINT), with what the feeds delivered committed, and says so (CLOSED: exit 130)', async () => {
    const dir = join(tmp, 'interrupted-lake')
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 1_500)
    await expect(demo({ seconds: 30, lake: dir, out: () => {}, signal: stop.signal })).rejects.toMatchObject({ code: 'CLOSED' })
    const facts = await lakeFacts(dir)
    expect(facts.trades).toBeGreaterThan(0)
    expect(facts.distinct).toBe(facts.trades)
  }, 120_000)
})
