/**
 * A tiny strict scanner for frames whose exact layout is known (Binance's trade payloads). It reads a
 * fixed sequence of keys and simple values and fails on anything else, so a frame it accepts is valid
 * JSON of exactly that form; frames it rejects go through JSON.parse instead. Not re-entrant: results
 * are left in module variables to avoid allocating per field.
 */

/** Last value read by `int`/`str`/`bool`. */
export let scannedInt = 0
export let scannedStr = ''
export let scannedBool = false

/** Expects `literal` at `pos`; returns the position after it, or -1. */
export function lit(text: string, pos: number, literal: string): number {
  return pos >= 0 && text.startsWith(literal, pos) ? pos + literal.length : -1
}

/** A non-negative integer (no sign, no fraction, at most 16 digits). */
export function int(text: string, pos: number): number {
  if (pos < 0) return -1
  let value = 0
  let i = pos
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    value = value * 10 + c
    i++
  }
  if (i === pos || i - pos > 16 || (text.charCodeAt(pos) === 48 && i - pos > 1)) return -1
  scannedInt = value
  return i
}

/** A string without escapes: `"…"`. */
export function str(text: string, pos: number): number {
  if (pos < 0 || text.charCodeAt(pos) !== 34) return -1
  const end = text.indexOf('"', pos + 1)
  if (end < 0) return -1
  const value = text.slice(pos + 1, end)
  if (value.indexOf('\\') >= 0) return -1
  scannedStr = value
  return end + 1
}

/** `true` or `false`. */
export function bool(text: string, pos: number): number {
  if (pos < 0) return -1
  if (text.startsWith('true', pos)) {
    scannedBool = true
    return pos + 4
  }
  if (text.startsWith('false', pos)) {
    scannedBool = false
    return pos + 5
  }
  return -1
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/** Value of the last `decimalString`. */
export let scannedNum = 0

/**
 * A quoted plain decimal (`"63113.20000000"`) read straight into a number. The digits form an exact
 * integer (< 2^53) and 10^k is exact (k ≤ 22), so one IEEE division rounds correctly: the result is
 * exactly `Number(text)` (Clinger's fast path). Anything else (too many digits, exponents, signs) fails.
 */
export function decimalString(text: string, pos: number): number {
  if (pos < 0 || text.charCodeAt(pos) !== 34) return -1
  let i = pos + 1
  let digits = 0
  let count = 0
  let scale = -1
  const n = text.length
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      digits = digits * 10 + (c - 48)
      count++
      if (scale >= 0) scale++
    } else if (c === 46 && scale < 0 && count > 0) scale = 0
    else break
  }
  if (i >= n || text.charCodeAt(i) !== 34 || count === 0 || count > 15 || scale === 0 || scale > 22) return -1
  scannedNum = scale > 0 ? digits / (POW10[scale] as number) : digits
  return i + 1
}

/** Skips a string without escapes (`"…"`), looking only at its own characters. */
export function skipStr(text: string, pos: number): number {
  if (pos < 0 || text.charCodeAt(pos) !== 34) return -1
  const n = text.length
  for (let i = pos + 1; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) return i + 1
    if (c === 92) return -1
  }
  return -1
}

/** Skips a non-negative integer. */
export function skipInt(text: string, pos: number): number {
  if (pos < 0) return -1
  let i = pos
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) break
    i++
  }
  return i === pos || i - pos > 16 ? -1 : i
}
