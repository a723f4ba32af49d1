import { isSymbol, isTimeframe, isVenue, VENUES } from '@k2/core'
import type { TableSpec } from '../iceberg/table-spec.js'

/**
 * What a lake column accepts beyond its type, in one place for both ways in: `append()` (a JS
 * check per value, or per distinct value of a dictionary column) and imports (a SQL condition).
 * Exchanges are K2's venue ids, symbols canonical `BASE-QUOTE`, timeframes `Ns/Nm/Nh/Nd`, documented
 * enums their values, other identifiers at most 128 characters without NUL (DuckDB's ENUMs stop at
 * NUL, so `"a"` and `"a\0z"` would become one value). Payloads (a raw frame, an error message)
 * are kept verbatim: any well-formed string. Times are epoch µs from 2009 to 2100, which catches
 * milliseconds (1970) and nanoseconds (unsafe) passed by mistake.
 */

export const MIN_TIME_US = Date.UTC(2009, 0, 1) * 1000
export const MAX_TIME_US = Date.UTC(2100, 0, 1) * 1000 - 1
export const MAX_IDENTIFIER = 128

export interface StringRule {
  /** True when a string is accepted (well-formedness included). */
  ok: (v: string) => boolean
  /** What the column wants, for messages. */
  want: string
  /** SQL that is true for a bad non-null value of the VARCHAR expression `c`. */
  sqlBad: (c: string) => string
}

const ENUMS: Record<string, Partial<Record<string, readonly string[]>>> = {
  side: { 'silver.trades': ['buy', 'sell', 'unknown'], 'silver.book': ['bid', 'ask'] },
  kind: { 'silver.book': ['snapshot', 'delta'], 'bronze.coverage': ['connected', 'subscribed', 'received', 'gap'] },
  state: { 'bronze.coverage': ['open', 'healed', 'unhealed'] },
  healed_by: { 'bronze.coverage': ['rest', 'import'] },
  source: { 'gold.ohlcv': ['trades', 'exchange'] },
}

/** Columns kept verbatim: raw frames and messages. */
const PAYLOAD = new Set(['data', 'raw', 'error_message', 'detail'])

// Node 20 has String.prototype.isWellFormed; the TS lib this project targets does not list it yet.
const wellFormed = (v: string): boolean => (v as string & { isWellFormed(): boolean }).isWellFormed()
const quoted = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ')
const listed = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ')

function oneOf(values: readonly string[], what: string): StringRule {
  const set = new Set(values)
  return { ok: (v) => set.has(v), want: `${what} (${listed(values)})`, sqlBad: (c) => `${c} NOT IN (${quoted(values)})` }
}

const EXCHANGE: StringRule = {
  ok: isVenue,
  want: `a K2 exchange id, one of the venues (${listed(VENUES)})`,
  sqlBad: (c) => `${c} NOT IN (${quoted(VENUES)})`,
}
const SYMBOL: StringRule = {
  ok: isSymbol,
  want: 'a canonical symbol, BASE-QUOTE in upper case letters and digits, e.g. "BTC-USDT" (map native names such as "BTCUSDT" first)',
  sqlBad: (c) => `NOT regexp_full_match(${c}, '[A-Z0-9]{1,15}-[A-Z0-9]{1,15}')`,
}
const TIMEFRAME: StringRule = {
  ok: isTimeframe,
  want: 'a timeframe such as "1m", "5m", "1h" or "1d"',
  sqlBad: (c) => `NOT regexp_full_match(${c}, '[1-9][0-9]{0,5}[smhd]')`,
}
const EXACT_DECIMAL: StringRule = {
  ok: (v) => v.length <= MAX_IDENTIFIER && /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/.test(v),
  want: 'an exact decimal in plain notation without trailing zeros, e.g. "12.5" (no exponent, no sign +)',
  sqlBad: (c) => `NOT regexp_full_match(${c}, '-?(0|[1-9][0-9]*)([.][0-9]*[1-9])?')`,
}
const IDENTIFIER: StringRule = {
  ok: (v) => v.length <= MAX_IDENTIFIER && !v.includes('\0') && wellFormed(v),
  want: `an identifier of at most ${MAX_IDENTIFIER} characters, without NUL or lone surrogates`,
  sqlBad: (c) => `(length(${c}) > ${MAX_IDENTIFIER} OR contains(${c}, chr(0)))`,
}
const TEXT: StringRule = {
  ok: wellFormed,
  want: 'a well-formed string (no lone surrogates)',
  sqlBad: () => 'false', // DuckDB holds only valid UTF-8
}

/** The rule for a string column of a table. */
export function stringRule(spec: TableSpec, column: string): StringRule {
  if (column === 'exchange') return EXCHANGE
  if (column === 'symbol') return SYMBOL
  if (column === 'timeframe') return TIMEFRAME
  if (column.endsWith('_exact')) return EXACT_DECIMAL
  const values = ENUMS[column]?.[spec.name]
  if (values) return oneOf(values, `one of the ${column} values`)
  return PAYLOAD.has(column) ? TEXT : IDENTIFIER
}

/** What a time column wants, and what a bad value most likely was. */
export function timeWant(value: unknown): string {
  const base = 'epoch µs from 2009 to 2100 as an integer'
  if (typeof value !== 'number' || !Number.isFinite(value)) return base
  const a = value // negative values are no unit mistake: no hint
  if (a >= MIN_TIME_US / 1000 && a <= MAX_TIME_US / 1000)
    return `${base} (this looks like milliseconds: multiply by 1000, or use fromMillis())`
  if (a >= MIN_TIME_US / 1e6 && a <= MAX_TIME_US / 1e6) return `${base} (this looks like seconds: multiply by 1,000,000)`
  if (a >= MIN_TIME_US * 1000 && a <= MAX_TIME_US * 1000) return `${base} (this looks like nanoseconds: divide by 1000)`
  return base
}

/** SQL that is true for a bad non-null time (epoch µs of the TIMESTAMPTZ expression `c`). */
export function sqlBadTime(c: string): string {
  return `(epoch_us(${c}) < ${MIN_TIME_US} OR epoch_us(${c}) > ${MAX_TIME_US})`
}
