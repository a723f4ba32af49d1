import { writeFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { candlestickSvg, lakeOhlcv } from '@k2/analytics'
import { type Exchange, K2Error, parseTimeframe, type Timeframe } from '@k2/core'
import { Command, InvalidArgumentError } from 'commander'
import type { CliIo } from '../io.js'
import { exchangeArg, lakeOption, positiveInt, timeArg } from '../options.js'
import { examples } from './help.js'
import { withLake } from './open-lake.js'

interface ChartOptions {
  lake: string
  exchange: Exchange
  symbol: string
  timeframe: Timeframe
  from?: number
  to?: number
  output: string
  title?: string
  width: number
  maxCandles: number
}

function timeframeArg(text: string): Timeframe {
  try {
    parseTimeframe(text)
    return text as Timeframe
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a timeframe: expected e.g. 1m, 5m, 1h, 1d`)
  }
}

export function chartCommand(io: CliIo): Command {
  return new Command('chart')
    .description('draw candles of one exchange and symbol as an SVG or PNG file (from gold, else from trades)')
    .addOption(lakeOption())
    .requiredOption('--exchange <name>', 'exchange, e.g. binance', exchangeArg)
    .requiredOption('--symbol <symbol>', 'symbol, e.g. BTC-USDT')
    .option('--timeframe <tf>', 'candle width: 1m, 5m, 1h, 1d, …', timeframeArg, '1m')
    .option('--from <time>', 'candles starting at or after this time', timeArg)
    .option('--to <time>', 'candles starting before this time', timeArg)
    .requiredOption('-o, --output <file>', 'chart.svg or chart.png (the extension picks the format)')
    .option('--title <text>', 'chart title (default: "exchange symbol · timeframe")')
    .option('--width <px>', 'chart width in pixels', positiveInt, 720)
    .option('--max-candles <n>', 'refuse to draw more candles than this (narrow --from/--to)', positiveInt, 5000)
    .addHelpText(
      'after',
      `${examples([
        'k2 chart --exchange binance --symbol BTC-USDT --timeframe 1m --from 2026-11-24T12:00:00Z --to 2026-11-24T14:00:00Z -o btc.svg',
        'k2 chart --exchange kraken --symbol ETH-USD --timeframe 1h --from 2026-11-01 --to 2026-12-01 -o eth.png',
      ])}

Candles come from gold.ohlcv (k2 rollup) when it has the timeframe for that window; otherwise they
are computed exactly from silver.trades. PNG is rendered from the SVG with resvg (system fonts).`,
    )
    .action(async (opts: ChartOptions) => {
      const ext = extname(opts.output).toLowerCase()
      if (ext !== '.svg' && ext !== '.png') throw new K2Error('VALIDATION', `--output must end in .svg or .png, got "${opts.output}"`)
      const { candles, from } = await withLake(opts.lake, async (lake) => {
        const gold = (await lake.hasTable('gold.ohlcv')) ? await goldCandles(lake, opts) : []
        if (gold.length > 0) return { candles: gold, from: 'gold.ohlcv' }
        const computed = await lakeOhlcv(lake, {
          timeframe: opts.timeframe,
          exchange: opts.exchange,
          symbol: opts.symbol,
          ...(opts.from !== undefined ? { from: opts.from } : {}),
          ...(opts.to !== undefined ? { to: opts.to } : {}),
        })
        return { candles: computed, from: 'silver.trades' }
      })
      if (candles.length === 0) {
        throw new K2Error(
          'NOT_FOUND',
          `no candles for ${opts.exchange} ${opts.symbol} ${opts.timeframe} in that window: check --exchange, --symbol, --from and --to`,
        )
      }
      if (candles.length > opts.maxCandles) {
        throw new K2Error(
          'VALIDATION',
          `${candles.length} candles is more than --max-candles ${opts.maxCandles}: narrow --from/--to or pick a wider --timeframe`,
        )
      }
      const svg = await candlestickSvg(candles as Parameters<typeof candlestickSvg>[0], {
        width: opts.width,
        ...(opts.title ? { title: opts.title } : {}),
      })
      await writeFile(opts.output, ext === '.png' ? await toPng(svg) : svg)
      io.err(`wrote ${opts.output}: ${candles.length} candles of ${opts.exchange} ${opts.symbol} ${opts.timeframe} from ${from}`)
    })
}

async function goldCandles(lake: import('@k2/store').Lake, opts: ChartOptions): Promise<Record<string, unknown>[]> {
  let q = lake.query('gold.ohlcv').where({ exchange: opts.exchange, symbol: opts.symbol, timeframe: opts.timeframe, source: 'trades' })
  if (opts.from !== undefined) q = q.where('start', '>=', opts.from)
  if (opts.to !== undefined) q = q.where('start', '<', opts.to)
  return (await q.orderBy('start').rows()) as Record<string, unknown>[]
}

/** SVG → PNG with resvg (a Rust renderer with prebuilt binaries), at twice the size for sharp text. */
async function toPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js')
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
  return png.render().asPng()
}
