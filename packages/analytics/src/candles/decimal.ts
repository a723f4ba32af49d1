import { K2Error } from '@k2/core'

/**
 * Exact decimals as a BigInt mantissa and a scale (value = m · 10^-s, s ≥ 0), and the bridge from a
 * float64 to the decimal it stands for: its shortest round-trip decimal D(x), what `String(x)` prints.
 */

/** 10^0 … 10^22: every one is exact in float64, so `n / POW10[s]` is a correctly rounded quotient. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i)
export const MAX_FAST_SCALE = 22
/** A scaled integer below 2^50 has neighbours 10^-s apart that are ≥ 4 ulps apart: its decimal is unique. */
export const FAST_LIMIT = 2 ** 50
/** Accumulators stay below 2^52, so adding one more fast term (< 2^52) cannot leave the exact range. */
export const ACC_LIMIT = 2 ** 52

const BIG_POW10: bigint[] = []
export function bigPow10(k: number): bigint {
  let p = BIG_POW10[k]
  if (p === undefined) {
    p = 10n ** BigInt(k)
    BIG_POW10[k] = p
  }
  return p
}

/** The smallest scale s ≤ 22 at which x is the integer n·10^-s with |n| < 2^50, or -1 when there is none. */
export function fastScaleOf(x: number): number {
  for (let s = 0; s <= MAX_FAST_SCALE; s++) {
    const p = POW10[s] as number
    const n = Math.round(x * p)
    if (n / p === x) return n < FAST_LIMIT && n > -FAST_LIMIT ? s : -1
  }
  return -1
}

export interface BigDecimalValue {
  m: bigint
  s: number
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** Parses a decimal string ("12.5", "-0.3", "1e-7", "1.5E+20") exactly; undefined when it is not one. */
export function parseDecimal(text: string): BigDecimalValue | undefined {
  const m = DECIMAL_RE.exec(text.trim())
  if (!m) return undefined
  const [, sign, whole = '', frac = '', exp] = m
  if (whole === '' && frac === '') return undefined
  let s = frac.length - (exp === undefined ? 0 : Number(exp))
  let mantissa = BigInt(`${whole}${frac}` || '0')
  if (s < 0) {
    mantissa *= bigPow10(-s)
    s = 0
  }
  return { m: sign === '-' ? -mantissa : mantissa, s }
}

/** The exact decimal of a finite float64: D(x), the digits `String(x)` prints. */
export function decimalOfDouble(x: number): BigDecimalValue {
  const s = fastScaleOf(x)
  if (s >= 0) return { m: BigInt(Math.round(x * (POW10[s] as number))), s }
  const parsed = parseDecimal(String(x))
  if (parsed === undefined) throw new K2Error('VALIDATION', `expected a finite number, got ${x}`)
  return parsed
}

/** Plain notation, no exponent, no trailing zeros: "12.5", "0", "-0.3". */
export function formatDecimal(m: bigint, s: number): string {
  if (m === 0n) return '0'
  const negative = m < 0n
  let digits = (negative ? -m : m).toString()
  let scale = s
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1)
    scale--
  }
  let text: string
  if (scale === 0) text = digits
  else if (digits.length > scale) text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  else text = `0.${'0'.repeat(scale - digits.length)}${digits}`
  return negative ? `-${text}` : text
}

/** A growing exact decimal: the part of a sum that no longer fits the float64 fast path. */
export class BigDecimal {
  m = 0n
  s = 0

  add(m: bigint, s: number): void {
    if (s > this.s) {
      this.m = this.m * bigPow10(s - this.s) + m
      this.s = s
    } else this.m += s === this.s ? m : m * bigPow10(this.s - s)
  }
}

/** The float64 nearest to the exact sum `fast·10^-scale + big`, and that sum as a decimal string. */
export function totalOf(fast: number, scale: number, big: BigDecimal | undefined): { value: number; exact: string } {
  if (big === undefined || big.m === 0n) {
    // exact integer ÷ exact power of ten: IEEE division rounds once, to nearest
    const value = scale <= MAX_FAST_SCALE ? fast / (POW10[scale] as number) : Number(formatDecimal(BigInt(fast), scale))
    return { value: value === 0 ? 0 : value, exact: formatDecimal(BigInt(fast), scale) }
  }
  const sum = new BigDecimal()
  sum.add(big.m, big.s)
  sum.add(BigInt(fast), scale)
  const exact = formatDecimal(sum.m, sum.s)
  return { value: Number(exact), exact }
}
