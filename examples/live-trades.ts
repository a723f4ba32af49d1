/**
 * Prints live trades from Binance, Kraken, Coinbase and Bitstamp as one merged stream.
 *
 *   npx tsx examples/live-trades.ts              # the real exchanges (needs the internet)
 *   npx tsx examples/live-trades.ts --sim        # local simulators on 127.0.0.1, no network
 *   npx tsx examples/live-trades.ts --seconds 20 # stop after 20 s (default: 10 with --sim, until Ctrl-C live)
 */
import { consoleLogger, type Exchange, toIso } from '@k2/core'
import { type FeedOptions, openFeeds } from '@k2/feeds'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'

const args = process.argv.slice(2)
const sim = args.includes('--sim')
const secondsArg = args.indexOf('--seconds')
const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : sim ? 10 : Number.POSITIVE_INFINITY

const MARKETS: Record<Exchange, string> = { binance: 'BTC-USDT', kraken: 'BTC-USD', coinbase: 'BTC-USD', bitstamp: 'BTC-USD' }

const sims: ExchangeSimulator[] = []
const options: FeedOptions[] = []
for (const [exchange, symbol] of Object.entries(MARKETS) as [Exchange, string][]) {
  if (sim) {
    const s = await startSimulator({ exchange, symbols: [symbol], seed: sims.length + 1 })
    sims.push(s)
    options.push({ exchange, symbols: [symbol], url: s.url, restUrl: s.restUrl })
  } else {
    options.push({ exchange, symbols: [symbol], logger: consoleLogger('warn', exchange) })
  }
}
// The simulators print a few trades every 100 ms, and now and then skip some (the feed heals the gap).
const ticker = setInterval(() => {
  for (const s of sims) {
    if (Math.random() < 0.02) s.skipNext(1)
    s.publish(1 + Math.floor(Math.random() * 3))
  }
}, 100)

const feed = openFeeds(options)
feed.on('status', (s) => console.error(`[${s.exchange}] ${s.state}${s.reason ? `: ${s.reason}` : ''}`))
feed.on('gap', (g) => console.error(`[${g.exchange}] gap ${g.symbol} ${g.fromId}..${g.toId} ${g.state}`))
feed.on('error', (e) => console.error(`[error ${e.code}] ${e.message}`))

const stop = async () => {
  clearInterval(ticker)
  await feed.close()
  await Promise.all(sims.map((s) => s.close()))
  const totals = feed.stats().map((s) => `${s.exchange}: ${s.trades} trades, ${s.gapsHealed} gaps healed, ${s.dlq} dead letters`)
  console.error(`\n${totals.join('\n')}`)
}
process.once('SIGINT', () => void stop())
if (Number.isFinite(seconds)) setTimeout(() => void stop(), seconds * 1000)

for await (const t of feed) {
  if (t.type !== 'trade') continue
  const side = t.side === 'buy' ? 'BUY ' : t.side === 'sell' ? 'SELL' : '  ? '
  console.log(`${toIso(t.ts)}  ${t.exchange.padEnd(8)} ${t.symbol.padEnd(9)} ${side} ${String(t.qty).padStart(12)} @ ${t.price}`)
}
