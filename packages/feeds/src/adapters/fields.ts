import { type CanonicalSymbol, type Exchange, FeedError, fromIso, isSymbol, K2Error } from '@k2/core'
import type { ParsedFrame } from './adapter.js'

/** A dead-letter result for a frame that breaks the protocol. */
export function protocolError(exchange: Exchange, message: string, frame: string, cause?: unknown): ParsedFrame {
  return { kind: 'error', error: new FeedError('PROTOCOL', exchange, message, { frame, cause }) }
}

/** Thrown inside parsers and turned into a `ParsedFrame` error at their boundary. */
export class FieldError extends Error {}

/** A decimal string (or number) that must be a finite number > 0 (prices, trade sizes). */
export function positive(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN
  if (!(n > 0) || n === Number.POSITIVE_INFINITY || (typeof value === 'string' && value.length === 0)) {
    throw new FieldError(`field "${field}" must be a positive decimal, got ${JSON.stringify(value)}`)
  }
  return n
}

/** A positive decimal that the protocol sends as a string (`"63113.20"`). */
export function decimal(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new FieldError(`field "${field}" must be a decimal string, got ${JSON.stringify(value)}`)
  return positive(value, field)
}

/** A positive decimal that the protocol sends as a JSON number. */
export function numeric(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new FieldError(`field "${field}" must be a JSON number, got ${JSON.stringify(value)}`)
  return positive(value, field)
}

/** A non-negative safe integer id, sent as a JSON number or (`digits`) as a string of digits, as the protocol says. */
export function tradeId(value: unknown, field: string, wire: 'number' | 'digits' = 'number'): number {
  const n =
    wire === 'number'
      ? typeof value === 'number'
        ? value
        : Number.NaN
      : typeof value === 'string' && /^\d{1,16}$/.test(value)
        ? Number(value)
        : Number.NaN
  if (!Number.isSafeInteger(n) || n < 0)
    throw new FieldError(
      `field "${field}" must be a non-negative integer id${wire === 'digits' ? ' string' : ''}, got ${JSON.stringify(value)}`,
    )
  return n
}

/** Epoch milliseconds (a number) to µs. */
export function millisToMicros(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new FieldError(`field "${field}" must be epoch milliseconds as an integer, got ${JSON.stringify(value)}`)
  return value * 1000
}

/** An RFC 3339 time string to epoch µs, exactly. */
export function isoToMicros(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new FieldError(`field "${field}" must be an RFC 3339 time string, got ${JSON.stringify(value)}`)
  try {
    return fromIso(value)
  } catch (err) {
    throw new FieldError(`field "${field}": ${K2Error.isInstance(err) ? err.message : String(err)}`)
  }
}

export function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new FieldError(`field "${field}" must be a non-empty string, got ${JSON.stringify(value)}`)
  return value
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FieldError(`${what} must be an object`)
  return value as Record<string, unknown>
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(`${what} must be an array`)
  return value
}

/** JSON.parse that reports failure as a value instead of throwing. */
/**
 * The boundary of every adapter's `parse`: bad JSON, or a `FieldError` thrown by `parseMessage`, becomes
 * a `PROTOCOL` error result (for the dead-letter sink); nothing a frame contains makes `parse` throw.
 */
export function parseJsonFrame(exchange: Exchange, frame: string, parseMessage: (json: unknown) => ParsedFrame): ParsedFrame {
  let json: unknown
  try {
    json = JSON.parse(frame)
  } catch (error) {
    return protocolError(exchange, 'frame is not valid JSON', frame, error)
  }
  try {
    return parseMessage(json)
  } catch (err) {
    if (err instanceof FieldError) return protocolError(exchange, err.message, frame)
    throw err
  }
}

/**
 * Splits a concatenated pair (`BTCUSDT`, `btcusd`) at the longest known quote asset. Exchanges that write
 * pairs without a separator need this when a frame names a symbol the feed was not told about.
 */
export function splitByQuote(native: string, quotes: readonly string[]): CanonicalSymbol | undefined {
  const upper = native.toUpperCase()
  for (const q of quotes) {
    if (upper.length > q.length && upper.endsWith(q)) {
      const symbol = `${upper.slice(0, -q.length)}-${q}`
      return isSymbol(symbol) ? symbol : undefined
    }
  }
  return undefined
}

/** A two-way symbol map seeded with the feed's symbols, falling back to an exchange rule. */
export class SymbolMap {
  private readonly toCanon = new Map<string, CanonicalSymbol | undefined>()
  constructor(
    symbols: readonly CanonicalSymbol[],
    private readonly nativeOf: (s: CanonicalSymbol) => string,
    private readonly rule: (native: string) => CanonicalSymbol | undefined,
  ) {
    for (const s of symbols) this.toCanon.set(nativeOf(s), s)
  }
  toNative(symbol: CanonicalSymbol): string {
    return this.nativeOf(symbol)
  }
  toCanonical(native: string): CanonicalSymbol | undefined {
    let s = this.toCanon.get(native)
    if (s === undefined && !this.toCanon.has(native)) {
      s = this.rule(native)
      if (this.toCanon.size < 10_000) this.toCanon.set(native, s)
    }
    return s
  }
}
