/**
 * Exact decimal sums with BigInt, as docs/candles.md defines them: a double stands for its shortest
 * round-trip decimal (`String(x)`), and a sum is exact until it is rounded once, to the nearest double.
 */

/** `units × 10^-scale`. */
export interface Decimal {
  readonly units: bigint
  readonly scale: number
}

export const ZERO: Decimal = { units: 0n, scale: 0 }

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

/** Parses a decimal string (`0.3`, `-12`, `1e-7`, DuckDB's `0.300`); undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_RE.exec(text)
  if (!m) return undefined
  const frac = m[3] ?? ''
  const exp = Number(m[4] ?? 0)
  let units = BigInt(`${m[2]}${frac}`)
  let scale = frac.length - exp
  if (scale < 0) {
    units *= 10n ** BigInt(-scale)
    scale = 0
  }
  return { units: m[1] === '-' ? -units : units, scale }
}

/** The shortest decimal of a finite double; undefined for NaN and ±Infinity. */
export function decimalOfDouble(x: number): Decimal | undefined {
  return Number.isFinite(x) ? parseDecimal(String(x)) : undefined
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.scale === b.scale) return { units: a.units + b.units, scale: a.scale }
  const [lo, hi] = a.scale < b.scale ? [a, b] : [b, a]
  return { units: lo.units * 10n ** BigInt(hi.scale - lo.scale) + hi.units, scale: hi.scale }
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const d = addDecimal(a, { units: -b.units, scale: b.scale }).units
  return d < 0n ? -1 : d > 0n ? 1 : 0
}

/** Plain decimal digits without trailing zeros (`0.3`, `12`, `-0.0001`). */
export function formatDecimal(d: Decimal): string {
  let { units, scale } = d
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n
    scale--
  }
  const neg = units < 0n
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0')
  const int = digits.slice(0, digits.length - scale)
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''
  return `${neg ? '-' : ''}${int}${frac}`
}

/** The nearest double (JS number parsing rounds correctly, to nearest, ties to even). */
export function toDouble(d: Decimal): number {
  return Number(formatDecimal(d))
}

/** The exact value of a volume column: its `*_exact` string when present and valid, else the double's decimal. */
export function exactOf(exact: string | null | undefined, double: number): Decimal | undefined {
  if (typeof exact === 'string' && exact !== '') {
    const parsed = parseDecimal(exact)
    if (parsed) return parsed
  }
  return decimalOfDouble(double)
}
