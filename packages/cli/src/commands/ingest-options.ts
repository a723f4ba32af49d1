import { type CanonicalSymbol, EXCHANGES, type Exchange, K2Error, validateSymbol } from '@k2/core'
import { InvalidArgumentError } from 'commander'
import { exchangeArg } from '../options.js'

/** Each exchange's symbols when `--symbols` names none for it: its most traded BTC market. */
export const DEFAULT_SYMBOLS: Readonly<Record<Exchange, CanonicalSymbol>> = {
  binance: 'BTC-USDT' as CanonicalSymbol,
  kraken: 'BTC-USD' as CanonicalSymbol,
  coinbase: 'BTC-USD' as CanonicalSymbol,
  bitstamp: 'BTC-USD' as CanonicalSymbol,
}

/** `--symbols` as given: for one exchange (`binance:BTC-USDT,ETH-USDT`) or for every exchange (`BTC-USD`). */
export interface SymbolsArg {
  exchange: Exchange | undefined
  symbols: CanonicalSymbol[]
}

/**
 * One `--symbols` value: `binance:BTC-USDT,ETH-USDT` gives binance both; `BTC-USD,ETH-USD` gives
 * every exchange both; a later prefix switches exchange (`binance:BTC-USDT,kraken:BTC-USD`).
 * Repeated flags accumulate.
 */
export function symbolsArg(text: string, previous: SymbolsArg[] = []): SymbolsArg[] {
  const out = [...previous]
  let current: SymbolsArg | undefined
  for (const item of text.split(',').map((s) => s.trim())) {
    if (!item) continue
    const colon = item.indexOf(':')
    if (colon >= 0) {
      current = { exchange: exchangeArg(item.slice(0, colon)), symbols: [] }
      out.push(current)
    } else if (!current) {
      current = { exchange: undefined, symbols: [] }
      out.push(current)
    }
    current.symbols.push(symbol(colon >= 0 ? item.slice(colon + 1) : item))
  }
  if (out.length === previous.length) throw new InvalidArgumentError('expected symbols, e.g. BTC-USDT or binance:BTC-USDT,ETH-USDT')
  return out
}

function symbol(text: string): CanonicalSymbol {
  try {
    return validateSymbol(text)
  } catch (e) {
    throw new InvalidArgumentError(`${K2Error.from(e).message} (symbols are BASE-QUOTE, e.g. BTC-USDT)`)
  }
}

/** `--url binance=ws://…` (repeatable): a per-exchange URL override, e.g. a simulator or a proxy. */
export function urlOverrideArg(schemes: RegExp, example: string) {
  return (text: string, previous: Partial<Record<Exchange, string>> = {}): Partial<Record<Exchange, string>> => {
    const eq = text.indexOf('=')
    if (eq < 0) throw new InvalidArgumentError(`expected exchange=URL, e.g. ${example} (got "${text}")`)
    const exchange = exchangeArg(text.slice(0, eq).trim())
    const url = text.slice(eq + 1).trim()
    if (!schemes.test(url)) throw new InvalidArgumentError(`expected exchange=URL, e.g. ${example} (got "${text}")`)
    return { ...previous, [exchange]: url }
  }
}

/**
 * The markets to capture: the exchanges of `--exchange` (or those `--symbols` names, or all four),
 * each with its `exchange:` symbols plus the plain ones, or its default symbol when none is given.
 */
export function resolveMarkets(
  exchanges: readonly Exchange[] | undefined,
  symbols: readonly SymbolsArg[] = [],
): Map<Exchange, CanonicalSymbol[]> {
  const named = [...new Set(symbols.flatMap((s) => (s.exchange ? [s.exchange] : [])))]
  const chosen = exchanges && exchanges.length > 0 ? [...new Set(exchanges)] : named.length > 0 ? named : [...EXCHANGES]
  for (const e of named)
    if (!chosen.includes(e))
      throw new K2Error(
        'VALIDATION',
        `--symbols names ${e}, which is not in --exchange ${chosen.join(',')}: add it there or drop its symbols`,
      )
  const everywhere = symbols.filter((s) => !s.exchange).flatMap((s) => s.symbols)
  const markets = new Map<Exchange, CanonicalSymbol[]>()
  for (const e of chosen) {
    const own = symbols.filter((s) => s.exchange === e).flatMap((s) => s.symbols)
    const all = [...new Set([...own, ...everywhere])]
    markets.set(e, all.length > 0 ? all : [DEFAULT_SYMBOLS[e]])
  }
  return markets
}

/** `--exchange binance,kraken` (repeatable) → the exchanges, each checked. */
export function exchangesArg(text: string, previous: Exchange[] = []): Exchange[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length === 0) throw new InvalidArgumentError(`expected exchanges, e.g. binance,kraken (one of ${EXCHANGES.join(', ')})`)
  return [...previous, ...items.map(exchangeArg)]
}
