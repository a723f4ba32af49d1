/**
 * A live top-10 order-book ladder, redrawn on every top-of-book change (at most 10 times a second).
 *
 *   npx tsx examples/book-ladder.ts --sim                   # a local Kraken simulator, no network
 *   npx tsx examples/book-ladder.ts --exchange binance      # the real exchange (needs the internet)
 *   npx tsx examples/book-ladder.ts --sim --seconds 20      # stop after 20 s (default: 10 with --sim)
 */
import { type Exchange, parseExchange } from '@k2/core'
import { openFeed } from '@k2/feeds'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'

const args = process.argv.slice(2)
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const sim = args.includes('--sim')
const exchange: Exchange = parseExchange(arg('--exchange') ?? 'kraken')
const symbol = exchange === 'binance' ? 'BTC-USDT' : 'BTC-USD'
const seconds = Number(arg('--seconds') ?? (sim ? 10 : Number.POSITIVE_INFINITY))

let simulator: ExchangeSimulator | undefined
if (sim) simulator = await startSimulator({ exchange, symbols: [symbol], books: true })
const feed = openFeed({
  exchange,
  symbols: [symbol],
  channels: ['book'],
  ...(exchange === 'kraken' ? { depth: 25 } : {}),
  ...(simulator ? { url: simulator.url, restUrl: simulator.restUrl } : {}),
})
feed.on('desync', (d) => console.error(`[desync] ${d.symbol} ${d.reason}: ${d.detail} (resyncing)`))
feed.on('error', (e) => console.error(`[error ${e.code}] ${e.message}`))

// The simulator's market moves every 20 ms, and one update in 500 carries a wrong checksum.
const books = simulator?.books
const ticker = setInterval(() => {
  if (books === undefined) return
  if (exchange === 'kraken' && Math.random() < 0.002) books.corruptChecksumNext(symbol)
  books.publish(1)
}, 20)

let drawnAt = 0
function draw(): void {
  const book = feed.book(symbol)
  if (book === undefined || !book.ready || Date.now() - drawnAt < 100) return
  drawnAt = Date.now()
  const { bids, asks } = book.depth(10)
  const row = (l: [number, number] | undefined) => (l ? `${l[1].toFixed(8).padStart(14)} @ ${l[0].toFixed(2).padEnd(10)}` : ' '.repeat(27))
  const lines = [
    `${exchange} ${symbol}  mid ${book.mid()?.toFixed(2)}  spread ${book.spread()?.toFixed(2)}`,
    '          bids              |          asks',
  ]
  for (let i = 0; i < 10; i++) lines.push(`${row(bids[i])} | ${row(asks[i])}`)
  console.log(`\x1b[2J\x1b[H${lines.join('\n')}`)
}
feed.on('quote', draw)

const stop = async () => {
  clearInterval(ticker)
  await feed.close()
  await simulator?.close()
}
process.once('SIGINT', () => void stop())
if (Number.isFinite(seconds)) setTimeout(() => void stop(), seconds * 1000)
