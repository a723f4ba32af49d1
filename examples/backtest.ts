/**
 * A moving-average crossover backtest on a lake: trades and closed 1-minute candles replayed in
 * exchange-time order, pinned to one snapshot, so a rerun prints the same PnL to the last digit.
 * Orders fill at the next trade's price (never the one that made the signal) and pay a fee.
 *
 *   npx tsx examples/build-lake.ts --sim --lake ./k2-lake    # a lake to test on
 *   npx tsx examples/backtest.ts --lake ./k2-lake --exchange binance --symbol BTC-USDT --out equity.svg
 *   npx tsx examples/backtest.ts --lake ./k2-lake --snapshot <token printed by a run>   # exactly that run
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { lineChartSpec, renderSvg } from '@k2/analytics'
import { toIso } from '@k2/core'
import { openLake } from '@k2/store'

const { values: args } = parseArgs({
  options: {
    lake: { type: 'string', default: './k2-lake' },
    exchange: { type: 'string', default: 'binance' },
    symbol: { type: 'string', default: 'BTC-USDT' },
    fast: { type: 'string', default: '20' },
    slow: { type: 'string', default: '100' },
    fee: { type: 'string', default: '0.0004' }, // 4 bp per fill, a taker fee
    snapshot: { type: 'string' },
    out: { type: 'string', default: 'equity.svg' },
  },
})
const [fastN, slowN, fee] = [Number(args.fast), Number(args.slow), Number(args.fee)]

/** A simple moving average over the last `n` prices. */
class Sma {
  readonly #window: number[] = []
  #sum = 0
  constructor(readonly n: number) {}
  push(x: number): number | null {
    this.#window.push(x)
    this.#sum += x
    if (this.#window.length > this.n) this.#sum -= this.#window.shift() as number
    return this.#window.length === this.n ? this.#sum / this.n : null
  }
}

const lake = await openLake(args.lake)
const [span] = await lake.sql`select min(ts) as first, max(ts) as last from ${lake.ref('silver.trades')}
  where exchange = ${args.exchange} and symbol = ${args.symbol}`.rows()
if (span?.first == null) throw new Error(`no ${args.exchange} ${args.symbol} trades in ${args.lake}: build a lake first`)

const replay = lake.replay({
  from: Number(span.first),
  to: Number(span.last) + 1,
  exchanges: [args.exchange],
  symbols: [args.symbol],
  channels: ['trades', 'candles:1m'],
  ...(args.snapshot ? { snapshot: args.snapshot } : {}),
})

const fast = new Sma(fastN)
const slow = new Sma(slowN)
let position = 0 // units of the base asset: 0 or 1
let cash = 0
let fees = 0
let fills = 0
let wanted = 0 // the position the last signal asked for; filled on the next trade
let last = Number.NaN
let prevDiff: number | null = null
const equity: { ts: number; equity: number }[] = []

for await (const ev of replay) {
  if (ev.type === 'trade') {
    if (wanted !== position) {
      const size = wanted - position
      cash -= size * ev.price
      fees += Math.abs(size) * ev.price * fee
      position = wanted
      fills++
    }
    last = ev.price
    const [f, s] = [fast.push(ev.price), slow.push(ev.price)]
    if (f === null || s === null) continue
    const diff = f - s
    if (prevDiff !== null && prevDiff <= 0 && diff > 0) wanted = 1
    if (prevDiff !== null && prevDiff >= 0 && diff < 0) wanted = 0
    prevDiff = diff
  } else if (ev.type === 'candle') {
    // A candle arrives at its close (ev.ts = start + 1m): marking equity here uses nothing from the future.
    equity.push({ ts: ev.ts, equity: cash + position * ev.close - fees })
  }
}
await lake.close()

const pnl = cash + position * last - fees
console.log(`replayed ${args.exchange} ${args.symbol} from ${toIso(Number(span.first))} at snapshot ${replay.snapshot}`)
console.log(`SMA ${fastN}/${slowN} crossover: ${fills} fills, fees ${fees.toFixed(6)}, final position ${position}`)
console.log(`PnL ${pnl.toFixed(8)} (marked at the last trade, ${last})`)
if (equity.length > 0) {
  await writeFile(args.out, await renderSvg(lineChartSpec(equity, { x: 'ts', y: 'equity', title: 'equity at each 1m close' })))
  console.log(`equity chart: ${args.out}`)
}
