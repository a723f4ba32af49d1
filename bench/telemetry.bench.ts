import { loadavg } from 'node:os'
import { type CanonicalSymbol, k2Meter } from '@k2/core'
import { startTelemetry } from '../packages/cli/src/telemetry/meter-provider.js'
import { FeedCounters } from '../packages/feeds/src/feed-stats.js'
import { compare } from './harness.js'

// What metrics cost a feed per trade. Reference: FeedCounters.trade with no SDK registered (the
// library default: no-op instruments). Subjects: the same with `k2 ingest --metrics`' SDK and
// Prometheus exporter registered (observable counters read at collection, the lag histogram
// sampled), the same plus one collection per call, and the obvious design for comparison: a
// synchronous counter add and histogram record per trade through the SDK. Trades arrive 2 µs apart
// on the receive clock (500,000 trades/s, above what one feed sustains end to end).
const TRADES = 1_000_000
const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD'] as CanonicalSymbol[]
const gauges = { buffered: () => 0, lastMessageAgeMs: () => 0, connections: () => 1 }
let clock = 1_764_000_000_000_000
const t = { symbol: 'BTC-USD' as CanonicalSymbol, ts: 0, recvTs: 0 }
const feed = (trade: (x: typeof t) => void) => () => {
  for (let i = 0; i < TRADES; i++) {
    t.symbol = SYMBOLS[i & 3] as CanonicalSymbol
    t.recvTs = clock += 2
    t.ts = t.recvTs - 20_000 - (i % 97) * 100
    trade(t)
  }
}

export default async function run(): Promise<void> {
  const load = [loadavg()[0]]
  const noSdk = new FeedCounters('kraken', gauges) // made before any SDK: no-op instruments
  const telemetry = startTelemetry({ name: 'bench', version: '0' })
  const withSdk = new FeedCounters('kraken', gauges)
  const meter = k2Meter('bench')
  const counter = meter.createCounter('k2.bench.trades')
  const histogram = meter.createHistogram('k2.bench.lag', {
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] },
  })
  const synchronous = (x: typeof t) => {
    const attrs = { exchange: 'kraken', symbol: x.symbol }
    counter.add(1, attrs)
    histogram.record((x.recvTs - x.ts) / 1000, attrs)
  }
  try {
    await compare({
      id: 'telemetry',
      title: 'telemetry: what metrics cost a feed per trade',
      unit: 'trades',
      samples: 7,
      warmup: 1,
      reference: { name: 'FeedCounters, no SDK registered (no-op instruments)', units: TRADES, run: feed((x) => noSdk.trade(x)) },
      subjects: [
        { name: 'FeedCounters, SDK + Prometheus exporter registered', units: TRADES, run: feed((x) => withSdk.trade(x)) },
        {
          name: 'FeedCounters, SDK + exporter, one collection per call',
          units: TRADES,
          run: async () => {
            feed((x) => withSdk.trade(x))()
            await telemetry.exporter.collect()
          },
        },
        { name: 'synchronous SDK add + record per trade (not used)', units: TRADES, run: feed(synchronous) },
      ],
      note: (rows) => {
        load.push(loadavg()[0])
        const ns = rows.map((r) => `${(1e9 / r.perSecond).toFixed(0)}`).join(', ')
        return `Per trade, in the rows' order: ${ns} ns. Load average (1 min) before and after: ${load.map((l) => l?.toFixed(1)).join(', ')}, on 2 shared cores.`
      },
    })
  } finally {
    await telemetry.shutdown()
  }
}
