import { type CanonicalSymbol, type Exchange, FeedError, fromIso, isSymbol } from '@k2/core'
import type { ParsedBookFrame, ParsedFrame } from './adapter.js'

/** A dead-letter result for a frame that breaks the protocol. */
export function protocolError(exchange: Exchange, message: string, frame: string, cause?: unknown): ParsedFrame {
  return { kind: 'error', error: new FeedError('PROTOCOL', exchange, message, { frame, cause }) }
}

/** Thrown inside parsers and turned into a `ParsedFrame` error at their boundary. */
export class FieldError extends Error {}

const SHOWN_CHARS = 40

/**
 * A short picture of a wire value for an error message. Never the whole value: a frame may hold a
 * 256 KiB string or arrays nested 20,000 deep, and neither may reach a message (or a recursion).
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length <= SHOWN_CHARS ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, SHOWN_CHARS))}… (${value.length} chars)`
    case 'number':
    case 'boolean':
      return String(value)
    case 'undefined':
      return 'nothing'
    case 'object':
      if (value === null) return 'null'
      return Array.isArray(value) ? `an array of ${value.length}` : 'an object'
    default:
      return typeof value
  }
}

/** A wire value as text for a message (a server's error text, an id): strings unquoted, all bounded. */
export function text(value: unknown): string {
  return typeof value === 'string' && value.length <= 120 ? value : typeof value === 'string' ? `${value.slice(0, 120)}…` : show(value)
}

/**
 * The one grammar of decimal strings on every exchange: `-?digits(.digits)?([eE][+-]?digits)?`, as
 * Binance, Coinbase, Bitstamp and Kraken's REST print them (and as JSON numbers are). `Number()` alone
 * would also take hex (`"0x1F4"` is 500), binary, octal, whitespace (`" 65000.5"`), `"Infinity"` and `""`.
 */
export const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** A positive decimal that the protocol sends as a string (`"63113.20"`). */
export function decimal(value: unknown, field: string): number {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw new FieldError(`field "${field}" must be a decimal string such as "65000.5", got ${show(value)}`)
  const n = Number(value)
  if (!(n > 0) || n === Number.POSITIVE_INFINITY)
    throw new FieldError(`field "${field}" must be a positive finite decimal, got ${show(value)}`)
  return n
}

/** A positive decimal that the protocol sends as a JSON number. */
export function numeric(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new FieldError(`field "${field}" must be a JSON number, got ${show(value)}`)
  if (!(value > 0) || value === Number.POSITIVE_INFINITY)
    throw new FieldError(`field "${field}" must be a positive finite number, got ${show(value)}`)
  return value
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
    throw new FieldError(`field "${field}" must be a non-negative integer id${wire === 'digits' ? ' string' : ''}, got ${show(value)}`)
  return n
}

/** Epoch milliseconds (a number) to µs. */
export function millisToMicros(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !Number.isSafeInteger(value * 1000) || value < 0)
    throw new FieldError(`field "${field}" must be epoch milliseconds as an integer, got ${show(value)}`)
  return value * 1000
}

/** Epoch µs sent as a string of digits (Bitstamp's `microtimestamp`). */
export function microsDigits(value: unknown, field: string): number {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n)) throw new FieldError(`field "${field}" must be epoch µs digits, got ${show(value)}`)
  return n
}

/** An RFC 3339 time string to epoch µs, exactly. */
export function isoToMicros(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new FieldError(`field "${field}" must be an RFC 3339 time string, got ${show(value)}`)
  try {
    return fromIso(value)
  } catch {
    throw new FieldError(`field "${field}" must be an RFC 3339 time string, got ${show(value)}`)
  }
}

export function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new FieldError(`field "${field}" must be a non-empty string, got ${show(value)}`)
  return value
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FieldError(`${what} must be an object, got ${show(value)}`)
  return value as Record<string, unknown>
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(`${what} must be an array, got ${show(value)}`)
  return value
}

/**
 * The slow path of every adapter's `parse`: JSON.parse, then `parseMessage`. Bad JSON is a `PROTOCOL`
 * error result; what `parseMessage` throws goes to the adapter's `caught`.
 */
export function parseJsonFrame<R extends ParsedBookFrame = ParsedFrame>(
  exchange: Exchange,
  frame: string,
  parseMessage: (json: unknown) => R,
): R | ParsedFrame {
  let json: unknown
  try {
    json = JSON.parse(frame)
  } catch (error) {
    return protocolError(exchange, 'frame is not valid JSON', frame, error)
  }
  return parseMessage(json)
}

/**
 * The boundary of every adapter's `parse`, which never throws: a `FieldError` (a frame that breaks the
 * protocol) becomes a `PROTOCOL` dead letter; anything else is a bug in the adapter, an `INTERNAL`
 * dead letter that the feed also reports as an error.
 */
export function caught(exchange: Exchange, frame: unknown, err: unknown): ParsedFrame {
  const raw = typeof frame === 'string' ? frame : frame instanceof Uint8Array ? UTF8.decode(frame) : `(${show(frame)}, not text)`
  if (err instanceof FieldError) return protocolError(exchange, err.message, raw)
  const why = err instanceof Error ? `${err.name}: ${err.message}` : show(err)
  const message = `the ${exchange} adapter failed on a frame (${text(why)}); the frame is in the dead letter: please report this K2 bug with it`
  return { kind: 'error', error: new FeedError('INTERNAL', exchange, message, { frame: raw, cause: err }) }
}

// As a connection decodes binary frames: invalid sequences become U+FFFD, a BOM stays (and is no JSON).
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A frame as text: strings as they are, bytes decoded as UTF-8 the way a connection decodes binary frames. */
export function frameText(frame: unknown, exchange: Exchange): string {
  if (typeof frame === 'string') return frame
  if (frame instanceof Uint8Array) return UTF8.decode(frame)
  throw new FieldError(`a ${exchange} frame must be text or bytes, got ${show(frame)}`)
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
