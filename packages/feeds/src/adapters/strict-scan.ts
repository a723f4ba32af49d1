/**
 * What the adapters' fast paths share. An exchange sends its trade frames in one exact layout; a regex
 * built from the pieces below (V8 compiles it to native code) checks that a whole frame is valid JSON of
 * exactly that layout: keys in order, no whitespace, strings without escapes or control characters,
 * numbers in JSON's grammar. The values are then read at offsets the layout fixes, without JSON.parse.
 * A frame that does not match goes through JSON.parse and the checks of `fields.ts`, which define the
 * result: a fast path either returns exactly what the slow path would, or nothing (the fuzz test
 * compares the two on random and mutated frames). Not re-entrant: `scanEnd` is a module variable.
 */
import { fromIso } from '@k2/core'

/** A JSON string with no escapes and no control characters. */
export const STR = '"[^"\\\\\\u0000-\\u001f]*"'
/** The characters of such a string (inside quotes the layout writes itself). */
export const CHARS = '[^"\\\\\\u0000-\\u001f]*'
/** A JSON integer of at most 15 digits: a safe integer however it is read. */
export const UINT = '(?:0|[1-9]\\d{0,14})'
/** Any JSON number, for fields the adapter does not read. */
export const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?'
/** A JSON number without sign or exponent (Kraken's prices and sizes). */
export const PLAIN_NUMBER = '(?:0|[1-9]\\d*)(?:\\.\\d+)?'
/** The plain form of the decimal grammar of `fields.ts`, inside a string. */
export const DECIMAL = '\\d+(?:\\.\\d+)?'
/** RFC 3339 in UTC as exchanges print it; the ranges are checked when it is read. */
export const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?Z'
export const BOOL = '(?:true|false)'

/** Where the last `readDecimal`/`readIso` stopped (the first character after the value). */
export let scanEnd = 0

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/**
 * The digits (and one dot) at `start`, which the layout regex already checked, as a number equal to
 * `Number(text)`: while the digits form an integer below 2^53 every step of `digits * 10 + c` is exact,
 * and with 10^k exact (k ≤ 22) one IEEE division rounds correctly (Clinger's fast path); anything
 * larger goes through `Number`.
 */
export function readDecimal(text: string, start: number): number {
  let digits = 0
  let scale = -1
  let i = start
  for (; ; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      digits = digits * 10 + (c - 48)
      if (scale >= 0) scale++
    } else if (c === 46) scale = 0
    else break
  }
  scanEnd = i
  // Steps only grow, so a rounded one leaves the result above the bound too.
  if (digits > Number.MAX_SAFE_INTEGER || scale > 22) return Number(text.slice(start, i))
  return scale > 0 ? digits / (POW10[scale] as number) : digits
}

let cachedPrefix = ''
let cachedSecondMicros = 0

/**
 * The RFC 3339 UTC time at `start` (as `ISO` matched it) to epoch µs, exactly as `fromIso` reads it
 * (digits below the µs truncated), or NaN for a date that does not exist. Trades come in bursts within
 * one second, so the seconds are computed once per second.
 */
export function readIso(text: string, start: number): number {
  if (!text.startsWith(cachedPrefix, start) || cachedPrefix.length === 0) {
    const prefix = text.slice(start, start + 19)
    try {
      cachedSecondMicros = fromIso(`${prefix}Z`)
    } catch {
      scanEnd = text.indexOf('Z', start) + 1
      return Number.NaN
    }
    cachedPrefix = prefix
  }
  let i = start + 19
  let micros = 0
  if (text.charCodeAt(i) === 46) {
    let scale = 100_000
    for (i++; ; i++) {
      const c = text.charCodeAt(i)
      if (c < 48 || c > 57) break
      micros += (c - 48) * scale
      scale = scale >= 10 ? scale / 10 : 0
    }
  }
  scanEnd = i + 1 // past the Z
  return cachedSecondMicros + micros
}
