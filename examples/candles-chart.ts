/**
 * Queries 1-minute candles from a lake's gold table and draws them as a candlestick chart (SVG).
 * Build a lake first with `examples/build-lake.ts` (or `pnpm demo`).
 *
 *   npx tsx examples/candles-chart.ts --lake ./k2-lake --exchange binance --symbol BTC-USDT --out chart.svg
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { candlestickSpec, renderSvg } from '@k2/analytics'
import { toIso } from '@k2/core'
import { openLake } from '@k2/store'

const { values: args } = parseArgs({
  options: {
    lake: { type: 'string', default: './k2-lake' },
    exchange: { type: 'string', default: 'binance' },
    symbol: { type: 'string', default: 'BTC-USDT' },
    timeframe: { type: 'string', default: '1m' },
    out: { type: 'string', default: 'chart.svg' },
  },
})

const lake = await openLake(args.lake)
// Every value below is a bound parameter: the builder never splices text into SQL.
const candles = await lake
  .query('gold.ohlcv')
  .where({ exchange: args.exchange, symbol: args.symbol, timeframe: args.timeframe })
  .orderBy('start')
  .rows()
await lake.close()
if (candles.length === 0) {
  console.error(`no ${args.timeframe} candles for ${args.exchange} ${args.symbol} in ${args.lake}: build a lake first`)
  process.exit(1)
}

for (const c of candles.slice(-5)) {
  console.log(`${toIso(c.start)}  O ${c.open}  H ${c.high}  L ${c.low}  C ${c.close}  V ${c.volume_exact ?? c.volume}  ${c.trades} trades`)
}
const spec = candlestickSpec(candles, { title: `${args.exchange} ${args.symbol} ${args.timeframe}` })
await writeFile(args.out, await renderSvg(spec))
console.log(`${candles.length} candles drawn to ${args.out}`)
