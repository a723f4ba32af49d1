import { CandleAggregator, ohlcv } from '@k2/analytics'
import { computeTradeBars } from 'tardis-dev'
import { compare } from './harness.js'

// Streaming OHLCV: 10M synthetic trades → 1m candles, exact sums (docs/candles.md). Reference:
// tardis-dev's computeTradeBars (time bars of 60 s), driven synchronously through its `compute()`
// generator over its own trade messages (its async `compute()` wrapper would add an await per trade
// and measure the event loop instead). It sums in floats and keys buckets by ms; ours are exact.
export default async function (): Promise<void> {
  const n = Number(process.env.K2_BENCH_TRADES ?? 10_000_000)
  const t0 = Date.UTC(2024, 0, 1) * 1000
  const ts = new Float64Array(n)
  const price = new Float64Array(n)
  const qty = new Float64Array(n)
  const side = new Uint8Array(n)
  let p = 42_000
  let x = 12345
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x / 2147483648
  }
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i * 6_000 // ~10k trades a minute: ~1,000 candles
    p = Math.max(1, Math.round((p + (rand() - 0.5) * 2) * 100) / 100) // 2 decimals
    price[i] = p
    qty[i] = (Math.round(rand() * 100_000) + 1) / 100_000 // 5 decimals, exactly (x/10^5 is the nearest double to the decimal)
    side[i] = rand() < 0.5 ? 1 : 0
  }
  const columns = { ts, price, qty, side, exchange: 'binance', symbol: 'BTC-USDT' }
  const objects = Array.from({ length: n }, (_, i) => ({
    exchange: 'binance',
    symbol: 'BTC-USDT',
    ts: ts[i] as number,
    id: String(i + 1),
    price: price[i] as number,
    qty: qty[i] as number,
    side: side[i] === 1 ? 'buy' : 'sell',
  }))
  const tardisTrades = objects.map((o) => ({
    type: 'trade' as const,
    symbol: o.symbol,
    exchange: 'binance' as const,
    id: o.id,
    price: o.price,
    amount: o.qty,
    side: o.side as 'buy' | 'sell',
    timestamp: new Date(o.ts / 1000),
    localTimestamp: new Date(o.ts / 1000),
  }))
  let sink = 0
  await compare({
    id: 'analytics-stream',
    title: 'analytics: 10M trades → 1m candles (streaming OHLCV)',
    unit: 'trades',
    samples: 5,
    warmup: 1,
    target: '≥ 20 million trades/s on one core from a columnar batch (issue 12)',
    reference: {
      name: 'tardis-dev computeTradeBars (float sums, sync compute())',
      units: n,
      run: () => {
        const bars = computeTradeBars({ kind: 'time', interval: 60_000 })()
        for (const t of tardisTrades) for (const bar of bars.compute(t as never)) sink += (bar as { close: number }).close
      },
    },
    subjects: [
      { name: 'ohlcv(columnar batch) — typed arrays', units: n, run: () => (sink += ohlcv(columns, '1m').length) },
      { name: 'ohlcv(object array)', units: n, run: () => (sink += ohlcv(objects as never[], '1m').length) },
      {
        name: 'CandleAggregator.push (live path, one trade at a time)',
        units: n,
        run: () => {
          const agg = new CandleAggregator('1m')
          for (const o of objects) sink += agg.push(o as never).length
          sink += agg.flush().length
        },
      },
    ],
    note: (rows) =>
      `Load average ${(globalThis.process?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined)?.loadavg()[0]?.toFixed(2) ?? '?'}; columnar batch ${((rows[1]?.perSecond ?? 0) / 1e6).toFixed(1)} M trades/s.`,
  })
  if (sink === 0) console.log('unreachable')
}
