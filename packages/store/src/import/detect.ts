import { K2Error, parseVenue, toCanonicalSymbol, type Venue, validateSymbol } from '@k2/core'
import { binanceAggTrades } from './binance-agg-trades.js'
import { binanceKlines, klineTimeframe } from './binance-klines.js'
import { binanceTrades } from './binance-trades.js'
import type { FormatSpec, ImportFormat } from './format.js'
import { krakenTrades } from './kraken-trades.js'
import { tardisBook, tardisBookSnapshot } from './tardis-book.js'
import { tardisQuotes } from './tardis-quotes.js'
import { TARDIS_PREFIX, tardisTrades } from './tardis-trades.js'

export const FORMATS: Record<ImportFormat, FormatSpec> = {
  'binance-trades': binanceTrades,
  'binance-agg-trades': binanceAggTrades,
  'binance-klines': binanceKlines,
  'kraken-trades': krakenTrades,
  'tardis-trades': tardisTrades,
  'tardis-book': tardisBook,
  'tardis-book-snapshot': tardisBookSnapshot,
  'tardis-quotes': tardisQuotes,
}

const BINANCE_NAME = /^([A-Z0-9]+(?:_[A-Z0-9]+)?)-(trades|aggTrades|\d+[smhdwM])-\d{4}-\d{2}/
const BOOL = /^(true|false)$/i

/**
 * The format of a file from its name and first line: Tardis files by their header, Binance files
 * by their name (`BTCUSDT-trades-2024-01-01.csv`) or header, headerless files by their fields.
 */
export function detectFormat(name: string, firstLine: string): FormatSpec | string {
  if (firstLine.startsWith(TARDIS_PREFIX)) {
    const rest = firstLine.slice(TARDIS_PREFIX.length)
    if (rest === 'id,side,price,amount') return tardisTrades
    if (rest === 'is_snapshot,side,price,amount') return tardisBook
    if (rest.startsWith('asks[0].price,')) return tardisBookSnapshot
    if (/ask_price/.test(rest) && /bid_price/.test(rest)) return tardisQuotes
    return `a Tardis.dev CSV of an unsupported kind (columns after local_timestamp: ${rest.slice(0, 80)})`
  }
  const kind = BINANCE_NAME.exec(name)?.[2]
  if (kind === 'trades') return binanceTrades
  if (kind === 'aggTrades') return binanceAggTrades
  if (kind) return binanceKlines
  if (firstLine.startsWith('id,')) return binanceTrades
  if (firstLine.startsWith('agg_trade_id,')) return binanceAggTrades
  if (firstLine.startsWith('open_time,')) return binanceKlines
  const fields = firstLine.split(',')
  if (fields.length === 3) return krakenTrades
  if (fields.length === 12) return binanceKlines
  if (fields.length === 6 || (fields.length === 7 && BOOL.test(fields[5] ?? ''))) return binanceTrades
  if (fields.length === 7 || fields.length === 8) return binanceAggTrades
  return `an unrecognised layout (${fields.length} fields in the first line "${firstLine.slice(0, 80)}")`
}

export interface Instrument {
  venue: Venue
  symbol: string
  timeframe?: string
}

/**
 * Venue and symbol of a file without instrument columns: the options, else Binance's paths
 * (`data/spot/…`, `data/futures/um/…`) and file names, Kraken's file names (`XBTUSD.csv`).
 */
export function fileInstrument(
  format: FormatSpec,
  path: string,
  name: string,
  hadHeader: boolean,
  opts: { venue?: string; symbol?: string },
): Instrument {
  const p = path.replaceAll('\\', '/')
  let venue: Venue
  let native: string | undefined
  if (format.id === 'kraken-trades') {
    venue = opts.venue === undefined ? 'kraken' : parseVenue(opts.venue)
    native = /^([A-Z0-9]+)\.csv$/i.exec(name)?.[1]
  } else {
    const hinted = /\/futures\/um\//.test(p)
      ? 'binance-futures'
      : /\/futures\/cm\//.test(p)
        ? 'binance-delivery'
        : /\/spot\//.test(p)
          ? 'binance'
          : null
    if (opts.venue !== undefined) venue = parseVenue(opts.venue)
    else if (hinted) venue = hinted
    else if (!hadHeader)
      venue = 'binance' // only Binance's spot files have no header
    else
      throw new K2Error(
        'VALIDATION',
        `cannot tell which Binance venue ${path} is from (futures files have a header, USD-M and COIN-M alike): pass the venue, e.g. binance-futures`,
      )
    native = BINANCE_NAME.exec(name)?.[1]
  }
  let symbol: string
  if (opts.symbol !== undefined) symbol = validateSymbol(opts.symbol)
  else {
    const mapped = native === undefined ? null : toCanonicalSymbol(venue, native)
    if (!mapped)
      throw new K2Error(
        'VALIDATION',
        native === undefined
          ? `cannot tell the symbol of ${path} from its name: pass the symbol, e.g. BTC-USDT`
          : `cannot map ${venue}'s symbol "${native}" (from ${name}) to a canonical symbol: pass the symbol, e.g. BTC-USDT`,
      )
    symbol = mapped
  }
  if (format.id !== 'binance-klines') return { venue, symbol }
  const interval = BINANCE_NAME.exec(name)?.[2]
  const timeframe = interval ? klineTimeframe(interval) : null
  if (!timeframe)
    throw new K2Error(
      'VALIDATION',
      interval
        ? `Binance interval "${interval}" of ${name} has no K2 timeframe (weeks and months are not fixed-width): import 1d candles instead`
        : `cannot tell the interval of the kline file ${name}: name it as Binance does (BTCUSDT-1m-2024-01-01.csv)`,
    )
  return { venue, symbol, timeframe }
}
