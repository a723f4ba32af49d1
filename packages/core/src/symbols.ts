import { z } from 'zod'
import { K2Error } from './errors.js'
import { showValue } from './show-value.js'

/** The exchanges K2 speaks to. */
export const EXCHANGES = ['binance', 'kraken', 'coinbase', 'bitstamp'] as const
export type Exchange = (typeof EXCHANGES)[number]
export const ExchangeSchema = z.enum(EXCHANGES)

export function isExchange(value: unknown): value is Exchange {
  return typeof value === 'string' && (EXCHANGES as readonly string[]).includes(value)
}

export function parseExchange(value: unknown): Exchange {
  if (isExchange(value)) return value
  throw new K2Error('VALIDATION', `unknown exchange ${showValue(value)}: expected one of ${EXCHANGES.join(', ')}`, {
    details: { value },
  })
}

/**
 * A canonical symbol is `BASE-QUOTE`: each side 1–15 upper-case letters or digits, 32 characters at
 * most in all. The strict form keeps symbols safe as file-path parts and SQL values.
 */
export type CanonicalSymbol = `${string}-${string}`

const SYMBOL_RE = /^[A-Z0-9]{1,15}-[A-Z0-9]{1,15}$/
const SYMBOL_MAX = 32

export function isSymbol(value: unknown): value is CanonicalSymbol {
  return typeof value === 'string' && value.length <= SYMBOL_MAX && SYMBOL_RE.test(value)
}

export function parseSymbol(value: unknown): { base: string; quote: string; symbol: CanonicalSymbol } {
  const symbol = validateSymbol(value)
  const dash = symbol.indexOf('-')
  return { base: symbol.slice(0, dash), quote: symbol.slice(dash + 1), symbol }
}

export function formatSymbol(base: string, quote: string): CanonicalSymbol {
  return validateSymbol(`${base}-${quote}`)
}

/** Returns the value as a `CanonicalSymbol` or throws `K2Error('VALIDATION')` naming the value and the form. */
export function validateSymbol(value: unknown): CanonicalSymbol {
  if (isSymbol(value)) return value
  const shown = showValue(value)
  throw new K2Error(
    'VALIDATION',
    `invalid symbol ${shown}: expected canonical BASE-QUOTE in upper case letters and digits, e.g. "BTC-USDT" (at most ${SYMBOL_MAX} characters)`,
    { details: { value } },
  )
}

export const SymbolSchema = z.string().refine(isSymbol, {
  message: 'expected canonical BASE-QUOTE in upper case letters and digits, e.g. "BTC-USDT"',
}) as unknown as z.ZodType<CanonicalSymbol, string>
