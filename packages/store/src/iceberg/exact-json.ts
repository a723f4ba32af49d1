import { isInteger, isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json'

/**
 * Metadata JSON with exact 64-bit integers. Spark and pyiceberg draw snapshot ids up to 2^63, which
 * `JSON.parse` rounds (and writing them back would corrupt parents, refs and logs). Integers that fit
 * a JS number exactly come back as numbers, larger ones as bigints; a decimal that a number would
 * round stays a `LosslessNumber`, so writing the metadata back reproduces every digit.
 */

function parseNumber(text: string): number | bigint | LosslessNumber {
  if (isInteger(text)) return isSafeNumber(text) ? Number(text) : BigInt(text)
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text)
}

/** Parses JSON text; throws a SyntaxError when it is not JSON. */
export function parseJsonExact(text: string): unknown {
  return parse(text, null, parseNumber)
}

/** Serialises to JSON; bigints and lossless numbers are written as plain JSON numbers, digit for digit. */
export function stringifyJsonExact(value: unknown): string {
  return stringify(value) as string
}

/** A 64-bit id from parsed JSON (number or bigint) as a bigint; undefined when it is not an integer. */
export function toBigIntId(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return undefined
}
