import { K2Error } from './errors.js'
import { showValue } from './show-value.js'
import { type CanonicalSymbol, EXCHANGES, isSymbol } from './symbols.js'

/**
 * Venues: every value the lake's `exchange` column accepts. The four live exchanges (`EXCHANGES`)
 * plus the venues K2 imports history from. A venue is one trading venue with one id space: USD-M
 * futures (`binance-futures`) are not spot (`binance`), so their trades never deduplicate against
 * each other. Ids follow Tardis.dev's exchange ids, so its files keep the venue they name.
 */
export const IMPORT_VENUES = [
  'binance-futures',
  'binance-delivery',
  'binance-us',
  'bitmex',
  'deribit',
  'okex',
  'okex-swap',
  'bybit',
  'bybit-spot',
  'huobi',
  'huobi-dm-swap',
] as const

export const VENUES = [...EXCHANGES, ...IMPORT_VENUES] as const
export type Venue = (typeof VENUES)[number]

/** What each venue is, for help texts and docs. */
export const VENUE_INFO: Record<Venue, string> = {
  binance: 'Binance spot',
  kraken: 'Kraken spot',
  coinbase: 'Coinbase spot',
  bitstamp: 'Bitstamp spot',
  'binance-futures': 'Binance USD-M futures (USDT/USDC-margined perpetuals)',
  'binance-delivery': 'Binance COIN-M futures (coin-margined perpetuals, quoted in USD)',
  'binance-us': 'Binance.US spot',
  bitmex: 'BitMEX derivatives (XBT is BTC)',
  deribit: 'Deribit derivatives (perpetuals)',
  okex: 'OKX spot',
  'okex-swap': 'OKX perpetual swaps',
  bybit: 'Bybit derivatives',
  'bybit-spot': 'Bybit spot',
  huobi: 'Huobi spot',
  'huobi-dm-swap': 'Huobi coin-margined swaps',
}

export function isVenue(value: unknown): value is Venue {
  return typeof value === 'string' && (VENUES as readonly string[]).includes(value)
}

export function parseVenue(value: unknown): Venue {
  if (isVenue(value)) return value
  throw new K2Error('VALIDATION', `unknown venue ${showValue(value)}: expected one of ${VENUES.join(', ')}`, { details: { value } })
}

/**
 * How a venue writes symbols. `concat`: base and quote glued (`BTCUSDT`), split by the venue's
 * quote list, longest quote first; each list is suffix-free (no quote ends with another quote of the
 * same venue), which makes the split unambiguous — e.g. Binance spot lists TUSD but not USD, BitMEX
 * lists USD but not TUSD, so `XBTUSD` is never `XB-TUSD`. `dash`: `BTC-USD` (with venue suffixes
 * such as OKX's `-SWAP` or Deribit's `-PERPETUAL`).
 */
interface SymbolRule {
  style: 'concat' | 'dash'
  quotes: readonly string[]
  /** Native asset name → canonical (BitMEX and Kraken say XBT). */
  aliases?: Readonly<Record<string, string>>
  /** Suffix after the pair that marks a perpetual (`_PERP`, `-SWAP`, `-PERPETUAL`). */
  perpetual?: string
  /** Perpetuals whose native name has no quote: Deribit `BTC-PERPETUAL` is BTC-USD. */
  impliedQuote?: string
  /** Only perpetuals are known (Deribit): dated futures and options need the symbol given. */
  onlyPerpetual?: boolean
  /** What joins base and quote in a `dash` venue's native name (Deribit: `BTC_USDC-PERPETUAL`). */
  joiner?: string
  lower?: boolean
}

const BINANCE_SPOT = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'DAI', 'BTC', 'ETH', 'BNB', 'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'AUD']
const RULES: Record<Venue, SymbolRule> = {
  binance: { style: 'concat', quotes: BINANCE_SPOT },
  'binance-us': { style: 'concat', quotes: ['USDT', 'USDC', 'USD', 'BTC', 'ETH'] },
  'binance-futures': { style: 'concat', quotes: ['USDT', 'USDC', 'BUSD'] },
  'binance-delivery': { style: 'concat', quotes: ['USD'], perpetual: '_PERP' },
  bitmex: { style: 'concat', quotes: ['USDT', 'USD', 'EUR'], aliases: { XBT: 'BTC' } },
  bybit: { style: 'concat', quotes: ['USDT', 'USDC', 'USD'] },
  'bybit-spot': { style: 'concat', quotes: ['USDT', 'USDC', 'BTC', 'ETH', 'EUR'] },
  huobi: { style: 'concat', quotes: ['USDT', 'USDC', 'HUSD', 'BTC', 'ETH'], lower: true },
  kraken: {
    style: 'concat',
    quotes: ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'CAD', 'JPY', 'CHF', 'AUD'],
    aliases: { XBT: 'BTC', XDG: 'DOGE' },
  },
  bitstamp: { style: 'concat', quotes: ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'BTC'], lower: true },
  coinbase: { style: 'dash', quotes: [] },
  okex: { style: 'dash', quotes: [] },
  'okex-swap': { style: 'dash', quotes: [], perpetual: '-SWAP' },
  'huobi-dm-swap': { style: 'dash', quotes: [] },
  deribit: { style: 'dash', quotes: [], perpetual: '-PERPETUAL', impliedQuote: 'USD', onlyPerpetual: true, joiner: '_' },
}

/** The quotes a concatenating venue's symbols are split by, longest first. */
export function venueQuotes(venue: Venue): readonly string[] {
  return [...RULES[venue].quotes].sort((a, b) => b.length - a.length)
}

function canonicalAsset(rule: SymbolRule, asset: string): string {
  return rule.aliases?.[asset] ?? asset
}

function nativeAsset(rule: SymbolRule, asset: string): string {
  for (const [native, canonical] of Object.entries(rule.aliases ?? {})) if (canonical === asset) return native
  return asset
}

/**
 * The canonical symbol of a venue's native one (`bitmex` `XBTUSD` → `BTC-USD`, `binance` `BTCUSDT` →
 * `BTC-USDT`, `deribit` `BTC-PERPETUAL` → `BTC-USD`), or null when the rules do not know it (a dated
 * future, an unknown quote): the caller then asks for the symbol to record.
 */
export function toCanonicalSymbol(venue: Venue, native: string): CanonicalSymbol | null {
  const rule = RULES[venue]
  let s = native.trim().toUpperCase()
  if (rule.perpetual && s.endsWith(rule.perpetual)) s = s.slice(0, -rule.perpetual.length)
  else if (rule.onlyPerpetual) return null
  let pair: [string, string] | null = null
  if (rule.style === 'concat' && /[-_]/.test(s)) return null // a dated contract (BTCUSD_200925)
  if (rule.style === 'dash' || s.includes('/')) {
    const parts = s.split(/[-/_]/)
    if (parts.length === 2) pair = [parts[0] as string, parts[1] as string]
    else if (parts.length === 1 && rule.impliedQuote) pair = [parts[0] as string, rule.impliedQuote]
  } else if (venue === 'kraken' && /^X[A-Z]{3}Z[A-Z]{3}$/.test(s)) {
    pair = [s.slice(1, 4), s.slice(5)] // Kraken's legacy names: XXBTZUSD
  } else {
    const quote = venueQuotes(venue).find((q) => s.length > q.length && s.endsWith(q))
    if (quote) pair = [s.slice(0, -quote.length), quote]
  }
  if (!pair) return null
  const symbol = `${canonicalAsset(rule, pair[0])}-${canonicalAsset(rule, pair[1])}`
  return isSymbol(symbol) ? symbol : null
}

/** The venue's native name of a canonical symbol (the inverse of `toCanonicalSymbol`). */
export function toNativeSymbol(venue: Venue, symbol: CanonicalSymbol): string {
  const rule = RULES[venue]
  const [base, quote] = symbol.split('-') as [string, string]
  const b = nativeAsset(rule, base)
  const q = nativeAsset(rule, quote)
  let s: string
  if (rule.impliedQuote && quote === rule.impliedQuote && rule.perpetual) s = `${b}${rule.perpetual}`
  else s = rule.style === 'dash' ? `${b}${rule.joiner ?? '-'}${q}${rule.perpetual ?? ''}` : `${b}${q}${rule.perpetual ?? ''}`
  return rule.lower ? s.toLowerCase() : s
}
