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

/** A plain decimal literal inside a string: digits with at most one dot, as exchanges print prices. */
export function isPlainDecimal(s: string): boolean {
  const n = s.length
  if (n === 0 || n > 40) return false
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (++dots > 1 || i === 0 || i === n - 1) return false
    } else if (c < 48 || c > 57) return false
  }
  return true
}
