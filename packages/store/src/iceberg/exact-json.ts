import { isInteger, isLosslessNumber, isSafeNumber, LosslessNumber, parse } from 'lossless-json'

/**
 * Metadata JSON with exact 64-bit integers. Spark and pyiceberg draw snapshot ids up to 2^63, which
 * `JSON.parse` rounds (and writing them back would corrupt parents, refs and logs). Integers that fit
 * a JS number exactly come back as numbers, larger ones as bigints; a decimal that a number would
 * round stays a `LosslessNumber`, so writing the metadata back reproduces every digit.
 *
 * Metadata grows with every snapshot and is parsed on every commit, and lossless-json is ~10× slower
 * than the native parser; so the native one is used whenever the text has no number it would round.
 */

function parseNumber(text: string): number | bigint | LosslessNumber {
  if (isInteger(text)) return isSafeNumber(text) ? Number(text) : BigInt(text)
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text)
}

// A JSON number token follows `:`, `[` or `,`; only tokens of 16+ characters can lose precision.
const LONG_NUMBER = /[:[,]\s*(-?\d[\d.eE+-]{15,})/g

function nativeIsExact(text: string): boolean {
  for (const m of text.matchAll(LONG_NUMBER)) {
    const token = m[1] as string
    if (!/^-?\d+$/.test(token) || !Number.isSafeInteger(Number(token))) return false
  }
  return true
}

/** Parses JSON text; throws a SyntaxError when it is not JSON. */
export function parseJsonExact(text: string): unknown {
  return nativeIsExact(text) ? JSON.parse(text) : parse(text, null, parseNumber)
}

// bigints and lossless numbers go through JSON.stringify as marked strings, then lose the quotes.
const MARK = '\u0000k2n:'
const MARKED = /"\\u0000k2n:(-?[0-9][0-9.eE+-]*)"/g

function mark(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return MARK + value.toString()
  if (isLosslessNumber(value)) return MARK + value.toString()
  return value
}

/** Serialises to JSON; bigints and lossless numbers are written as plain JSON numbers, digit for digit. */
export function stringifyJsonExact(value: unknown): string {
  return JSON.stringify(value, mark).replace(MARKED, '$1')
}

/** A 64-bit id from parsed JSON (number or bigint) as a bigint; undefined when it is not an integer. */
export function toBigIntId(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return undefined
}
