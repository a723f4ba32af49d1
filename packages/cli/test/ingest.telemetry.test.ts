import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Trade } from '@k2/core'
import { openFeed } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'
import { openLake } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { startTelemetry } from '../src/telemetry/meter-provider.js'
import { startMetricsServer } from '../src/telemetry/metrics-server.js'

// The store's and the query layer's instruments, through the same SDK and endpoint `k2 ingest`
// uses, in-process: a writer commits, queries run (one fails), and the scrape shows each.

const T0 = Date.UTC(2024, 0, 31) * 1000
const trades = (n: number): Trade[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'trade',
    exchange: 'binance',
    symbol: 'BTC-USDT' as Trade['symbol'],
    id: String(i + 1),
    price: 40_000 + i,
    qty: 0.01,
    side: 'buy',
    ts: T0 + i * 1000,
    recvTs: T0 + i * 1000 + 250_000,
  }))

const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)

describe('telemetry for the store and the query layer', () => {
  it('records commits, queue depth and query latency by outcome, and can be registered again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2-telemetry-'))
    for (const round of [1, 2]) {
      const telemetry = startTelemetry({ name: 'k2-test', version: '0' })
      const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, telemetry.exporter, () => ({ ready: true, reasons: [] }))
      const lake = await openLake(join(dir, `lake-${round}`))
      try {
        const writer = (await lake.table('silver.trades')).writer({ flushMs: 0 })
        await writer.append(trades(30))
        const before = await (await fetch(`${server.url}/metrics`)).text()
        expect(sample(before, 'k2_store_writer_queue', 'table="silver.trades"')).toBe(30)
        await writer.flush()
        await writer.append(trades(5)) // already in the table: dropped at commit
        await writer.close()
        expect((await lake.sql`select count(*) as n from ${lake.ref('silver.trades')}`.rows())[0]?.n).toBe(30)
        await expect(lake.sql`select no_such_column from ${lake.ref('silver.trades')}`.rows()).rejects.toThrow()

        const text = await (await fetch(`${server.url}/metrics`)).text()
        expect(sample(text, 'k2_store_rows_committed_total', 'table="silver.trades"')).toBe(30)
        expect(sample(text, 'k2_store_rows_duplicate_total', 'table="silver.trades"')).toBe(5)
        expect(sample(text, 'k2_store_commits_total', 'table="silver.trades"')).toBe(1)
        expect(sample(text, 'k2_store_commit_duration_count', 'table="silver.trades"')).toBe(2)
        expect(sample(text, 'k2_query_duration_count', 'outcome="ok"')).toBeGreaterThanOrEqual(1)
        expect(sample(text, 'k2_query_duration_count', 'outcome="QUERY"')).toBe(1)
        expect(text).toMatch(/^k2_query_duration_bucket\{outcome="ok",.*le="\+Inf"\} \d+$/m)
        expect(text).toContain('service_name="k2-test"')
      } finally {
        await lake.close()
        await server.close()
        await telemetry.shutdown()
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('a closed feed is let go: the meter keeps no callback that holds it, and a new feed reports its own values', async () => {
    const telemetry = startTelemetry({ name: 'k2-test', version: '0' })
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, telemetry.exporter, () => ({ ready: true, reasons: [] }))
    const sim = await startSimulator({ exchange: 'bitstamp', symbols: ['BTC-USD'], seed: 5 })
    const scrape = async () => (await fetch(`${server.url}/metrics`)).text()
    // Publishes until the feed has emitted n trades.
    const tradesSeen = async (feed: ReturnType<typeof openFeed>, n: number) => {
      let seen = 0
      feed.on('trade', () => seen++)
      while (seen < n) {
        if (sim.subscribers('BTC-USD') > 0) sim.publish(5)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    try {
      let first: ReturnType<typeof openFeed> | null = openFeed({
        exchange: 'bitstamp',
        symbols: ['BTC-USD'],
        url: sim.url,
        restUrl: sim.restUrl,
      })
      await tradesSeen(first, 3)
      expect(sample(await scrape(), 'k2_feeds_connections', 'exchange="bitstamp"')).toBe(1)
      await first.close()
      const gone = new WeakRef(first)
      first = null
      await scrape() // a collection after the close
      for (let i = 0; i < 10 && gone.deref(); i++) {
        await new Promise((r) => setTimeout(r, 20))
        gc()
      }
      expect(gone.deref(), 'the closed feed is still reachable (an observable callback holds it)').toBeUndefined()

      const second = openFeed({ exchange: 'bitstamp', symbols: ['BTC-USD'], url: sim.url, restUrl: sim.restUrl })
      await tradesSeen(second, 2)
      const text = await scrape()
      expect(sample(text, 'k2_feeds_connections', 'exchange="bitstamp"')).toBe(1)
      expect(sample(text, 'k2_feeds_frames_total', 'exchange="bitstamp"')).toBe(second.stats().frames)
      await second.close()
    } finally {
      await sim.close()
      await server.close()
      await telemetry.shutdown()
    }
  }, 60_000)
})
