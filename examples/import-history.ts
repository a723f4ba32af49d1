/**
 * Imports historical trades (here real Binance USD-M futures trades in Tardis' CSV format) into a
 * lake, computes exact 1-minute candles from them in SQL, and imports again to show nothing is
 * written twice. The venue keeps its identity: futures trades are `binance-futures`, never `binance`.
 *
 *   npx tsx examples/import-history.ts --lake ./k2-lake [files…]   # default: examples/data's excerpt
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { lakeOhlcv } from '@k2/analytics'
import { toIso } from '@k2/core'
import { importFiles, openLake } from '@k2/store'

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { lake: { type: 'string', default: './k2-lake' } },
})
const files = positionals.length
  ? positionals
  : [fileURLToPath(new URL('./data/tardis-binance-futures-trades-BTCUSDT-2020-02-22-excerpt.csv', import.meta.url))]

const lake = await openLake(args.lake)
const first = await importFiles(lake, files)
console.log(`imported ${first.rowsWritten} of ${first.rowsRead} rows (${first.duplicates} already in the lake, ${first.badRows} bad)`)

const candles = await lakeOhlcv(lake, { timeframe: '1m', exchange: 'binance-futures', symbol: 'BTC-USDT' })
for (const c of candles) {
  console.log(`${toIso(c.start)}  O ${c.open}  H ${c.high}  L ${c.low}  C ${c.close}  V ${c.volume}  ${c.trades} trades`)
}

const again = await importFiles(lake, files)
console.log(`imported again: ${again.rowsWritten} new rows, ${again.duplicates} duplicates skipped`)
await lake.close()
