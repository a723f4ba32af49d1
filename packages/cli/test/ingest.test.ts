import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CanonicalSymbol } from '@k2/core'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// `k2 ingest` as a capture box runs it: the built executable in its own process, pointed at
// simulated exchanges started here (their tapes are the ground truth), scraped over HTTP, stopped
// with SIGTERM, and its lake opened afterwards.

const root = fileURLToPath(new URL('../../../', import.meta.url))
const bin = join(root, 'packages/cli/dist/bin.js')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format, as far as these tests read it: `name{a="b",…} value` lines. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m?.[1] || m[3] === undefined) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}

/** Sum of a metric's samples whose labels include `where`. */
function total(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0)
}

/** The running executable: its output so far, its exit, and its metrics URL once it printed one. */
class Ingest {
  stdout = ''
  stderr = ''
  readonly exited: Promise<number | null>
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => (this.stdout += d))
    child.stderr?.on('data', (d) => (this.stderr += d))
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  }
  static start(args: string[]): Ingest {
    return new Ingest(spawn(process.execPath, [bin, 'ingest', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }))
  }
  async metricsUrl(): Promise<string> {
    await until(
      () => /metrics on (http:\/\/\S+)\/metrics/.test(this.stderr),
      20_000,
      () => `no metrics URL on stderr:\n${this.stderr}`,
    )
    return /metrics on (http:\/\/\S+)\/metrics/.exec(this.stderr)?.[1] as string
  }
}

async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`)
    await sleep(50)
  }
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  return parseMetrics(await res.text())
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npx pnpm build)`)
})

describe('k2 ingest against simulated exchanges', () => {
  const MARKETS: ['binance' | 'kraken', CanonicalSymbol[]][] = [
    ['binance', ['BTC-USDT', 'ETH-USDT'] as CanonicalSymbol[]],
    ['kraken', ['BTC-USD'] as CanonicalSymbol[]],
  ]
  const sims: ExchangeSimulator[] = []
  const lake = mkdtempSync(join(tmpdir(), 'k2-ingest-test-'))
  let ingest: Ingest | undefined

  beforeAll(async () => {
    for (const [i, [exchange, symbols]] of MARKETS.entries()) sims.push(await startSimulator({ exchange, symbols, seed: 11 + i }))
  })
  afterAll(async () => {
    if (ingest && ingest.child.exitCode === null) ingest.child.kill('SIGKILL')
    await Promise.all(sims.map((s) => s.close()))
    rmSync(lake, { recursive: true, force: true })
  })

  const printed = () =>
    sims.flatMap((sim) => sim.tape.symbols.flatMap((sym) => sim.trades(sym).map((t) => `${sim.exchange}|${sym}|${t.id}`)))

  it('serves metrics and health, survives faults, and on SIGTERM commits every trade it received, once', async () => {
    const [binance, kraken] = sims as [ExchangeSimulator, ExchangeSimulator]
    ingest = Ingest.start([
      ...['--exchange', 'binance,kraken', '--symbols', 'binance:BTC-USDT,ETH-USDT', '--symbols', 'kraken:BTC-USD'],
      ...['--url', `binance=${binance.url}`, '--rest-url', `binance=${binance.restUrl}`],
      ...['--url', `kraken=${kraken.url}`, '--rest-url', `kraken=${kraken.restUrl}`],
      ...['--lake', lake, '--metrics', '127.0.0.1:0', '--flush-ms', '5000', '--status-every', '1'],
    ])
    const url = await ingest.metricsUrl()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    await until(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      20_000,
      () => `never ready:\n${ingest?.stderr}`,
    )
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' })
    expect((await fetch(`${url}/nothing`)).status).toBe(404)

    // Phase 1: trades with trouble in the middle, until every one of them is committed.
    const trade = async (ticks: number) => {
      for (let tick = 0; tick < ticks; tick++) {
        for (const sim of sims) sim.publish(15)
        await sleep(25)
      }
    }
    await trade(6)
    binance.disconnectAll() // reconnect, resubscribe, heal what was missed from REST
    await trade(3) // printed while binance's feed is away
    await until(
      () => binance.tape.symbols.every((s) => binance.subscribers(s) > 0),
      20_000,
      () => `binance did not resubscribe:\n${ingest?.stderr}`,
    )
    await trade(6) // live trades after the reconnect reveal the gap
    kraken.sendMalformed('garbage') // one dead letter
    binance.skipNext(4) // a gap in ids, healed from REST
    await trade(8)
    const phase1 = printed().length
    let samples: Sample[] = []
    await until(
      async () => {
        samples = await scrape(url)
        return (
          total(samples, 'k2_store_rows_committed_total', { table: 'silver.trades' }) >= phase1 &&
          total(samples, 'k2_store_rows_committed_total', { table: 'bronze.dlq' }) >= 1
        )
      },
      30_000,
      () => `phase 1 not committed: ${phase1} printed; stderr:\n${ingest?.stderr}`,
    )
    for (const [exchange, symbols] of MARKETS) {
      const sim = sims.find((s) => s.exchange === exchange) as ExchangeSimulator
      for (const symbol of symbols)
        expect(total(samples, 'k2_feeds_trades_total', { exchange, symbol }), `${exchange} ${symbol}`).toBe(sim.trades(symbol).length)
    }
    expect(total(samples, 'k2_store_rows_committed_total', { table: 'silver.trades' })).toBe(phase1)
    expect(total(samples, 'k2_feeds_dlq_total', { exchange: 'kraken' })).toBe(1)
    expect(total(samples, 'k2_feeds_dlq_total', { exchange: 'binance' })).toBe(0)
    expect(total(samples, 'k2_store_rows_committed_total', { table: 'bronze.dlq' })).toBe(1)
    expect(total(samples, 'k2_feeds_reconnects_total', { exchange: 'binance' })).toBeGreaterThanOrEqual(1)
    expect(total(samples, 'k2_feeds_gaps_total', { exchange: 'binance', state: 'healed' })).toBeGreaterThanOrEqual(1)
    expect(total(samples, 'k2_feeds_connections', { exchange: 'kraken' })).toBe(1)
    // Lag is sampled (at most one trade per symbol every 10 ms): some observations, never more than trades.
    expect(total(samples, 'k2_feeds_lag_count', { exchange: 'kraken', symbol: 'BTC-USD' })).toBeGreaterThanOrEqual(1)
    expect(total(samples, 'k2_feeds_lag_count')).toBeLessThanOrEqual(phase1)
    expect(total(samples, 'k2_store_commit_duration_count', { table: 'silver.trades' })).toBeGreaterThanOrEqual(1)
    expect(total(samples, 'k2_store_commits_total', { table: 'silver.trades' })).toBeGreaterThanOrEqual(1)
    expect(samples.some((s) => s.name === 'k2_store_writer_queue' && s.labels.table === 'silver.trades')).toBe(true)
    expect(ingest.stderr).toMatch(/binance: [\d.]+ trades\/s/)
    expect(ingest.stderr).toMatch(new RegExp(`lake: ${phase1} trades committed`))

    // Phase 2: more trades, and SIGTERM as soon as they are all received: the 5 s flush timer has
    // not committed them yet, so only the graceful stop can.
    for (let tick = 0; tick < 10; tick++) for (const sim of sims) sim.publish(20)
    const all = printed()
    await until(
      async () => {
        samples = await scrape(url)
        return total(samples, 'k2_feeds_trades_total') >= all.length
      },
      30_000,
      () => `phase 2 not received: ${all.length} printed`,
    )
    const waiting = total(samples, 'k2_store_writer_queue', { table: 'silver.trades' })
    expect(waiting, 'trades still buffered when the signal comes').toBeGreaterThan(0)
    ingest.child.kill('SIGTERM')
    expect(await ingest.exited).toBe(0)
    expect(ingest.stdout).toMatch(new RegExp(`stopped \\(interrupted by SIGTERM\\): ${all.length} trades committed`))

    const opened = await openLake(lake)
    try {
      const rows = await opened.sql`select exchange, symbol, id from ${opened.ref('silver.trades')}`.rows()
      const stored = rows.map((r) => `${r.exchange}|${r.symbol}|${r.id}`)
      expect(stored.length).toBe(new Set(stored).size) // no duplicates
      expect(new Set(stored)).toEqual(new Set(all)) // every printed trade, nothing else
      const dlq = await opened.sql`select count(*) as n from ${opened.ref('bronze.dlq')}`.rows()
      expect(Number(dlq[0]?.n)).toBe(1)
    } finally {
      await opened.close()
    }
  }, 120_000)

  it('answers 503 on /readyz with the reason while a subscription is unanswered, and still exits 0 on SIGTERM', async () => {
    const mute = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'], ackSubscriptions: false })
    const dir = mkdtempSync(join(tmpdir(), 'k2-ingest-test-'))
    const run = Ingest.start([
      '--exchange',
      'kraken',
      '--symbols',
      'BTC-USD',
      '--url',
      `kraken=${mute.url}`,
      '--lake',
      dir,
      '--metrics',
      ':0',
    ])
    try {
      const url = await run.metricsUrl()
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/) // loopback when no host is given
      await until(
        () => mute.connections > 0,
        20_000,
        () => `no connection:\n${run.stderr}`,
      )
      const res = await fetch(`${url}/readyz`)
      expect(res.status).toBe(503)
      const body = (await res.json()) as { status: string; reasons: string[] }
      expect(body.status).toBe('not ready')
      expect(body.reasons.join('\n')).toMatch(/kraken: not subscribed to BTC-USD \(pending\)/)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      run.child.kill('SIGTERM')
      expect(await run.exited).toBe(0)
      expect(run.stdout).toMatch(/stopped \(interrupted by SIGTERM\): 0 trades committed/)
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL')
      await mute.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
