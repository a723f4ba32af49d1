/**
 * Builds a lake from live feeds: raw frames in bronze, deduplicated trades in silver, coverage, and
 * OHLCV candles rolled up into gold.
 *
 *   npx tsx examples/build-lake.ts --sim --lake ./k2-lake   # local simulators, no network (10 s)
 *   npx tsx examples/build-lake.ts --lake ./k2-lake         # the real exchanges, until Ctrl-C
 */
import { parseArgs } from 'node:util'
import { rollup } from '@k2/analytics'
import { consoleLogger, type Exchange } from '@k2/core'
import { type FeedOptions, openFeeds } from '@k2/feeds'
import { type ExchangeSimulator, type SimMarket, startSimulator } from '@k2/feeds/testing'
import { openLake, pipe } from '@k2/store'

const { values: args } = parseArgs({
  options: { sim: { type: 'boolean', default: false }, lake: { type: 'string', default: './k2-lake' }, seconds: { type: 'string' } },
})
const seconds = Number(args.seconds ?? (args.sim ? 10 : Number.POSITIVE_INFINITY))
const MARKETS: [Exchange, string[]][] = [
  ['binance', ['BTC-USDT', 'ETH-USDT']],
  ['kraken', ['BTC-USD']],
  ['coinbase', ['BTC-USD', 'ETH-USD']],
  ['bitstamp', ['BTC-USD']],
]

// Simulated markets run on a fast clock: ten minutes of exchange time per second, ending no later
// than now, so a 10 s run leaves well over an hour of candles.
const wallStart = Date.now()
const marketStart = wallStart - 2 * 60 * 60 * 1000
const market: SimMarket = { now: () => Math.min(Date.now(), marketStart + (Date.now() - wallStart) * 600) }

const sims: ExchangeSimulator[] = []
const options: FeedOptions[] = []
for (const [exchange, symbols] of MARKETS) {
  if (!args.sim) {
    options.push({ exchange, symbols, logger: consoleLogger('warn', exchange) })
    continue
  }
  const s = await startSimulator({ exchange, symbols, seed: sims.length + 1, market })
  sims.push(s)
  options.push({ exchange, symbols, url: s.url, restUrl: s.restUrl })
}
const ticker = setInterval(() => {
  for (const s of sims) s.publish(5)
}, 50)

const feed = openFeeds(options)
const lake = await openLake(args.lake)
const stop = new AbortController()
process.once('SIGINT', () => stop.abort())
if (Number.isFinite(seconds)) setTimeout(() => stop.abort(), seconds * 1000)

const piped = await pipe(feed, lake, { signal: stop.signal, flushMs: 500 })
clearInterval(ticker)
await Promise.all(sims.map((s) => s.close()))
console.log(`kept ${piped.frames} raw frames and ${piped.trades} trades (${piped.duplicateTrades} duplicates dropped) in ${args.lake}`)

const candles = await rollup(lake, { timeframes: ['1m', '5m', '1h', '1d'] })
const perTimeframe = Object.entries(candles.buckets).map(([tf, n]) => `${n} ${tf}`)
console.log(`rolled up ${perTimeframe.join(', ')} candles into gold.ohlcv (${candles.mode})`)
for (const name of ['bronze.frames', 'silver.trades', 'gold.ohlcv'] as const) {
  const [row] = await lake.sql`select count(*) as n from ${lake.ref(name)}`.rows()
  console.log(`${name.padEnd(14)} ${Number(row?.n)} rows`)
}
await lake.close()
