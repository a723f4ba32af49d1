/**
 * Exact decimal strings, as gold.ohlcv keeps its sums (`volume_exact`, …): plain notation, no
 * trailing zeros (`"0.3"`, `"12"`). Sums of them are exact (BigInt), so higher timeframes derived
 * from lower ones equal the ones computed from trades to the last digit (docs/candles.md).
 */

/** A DuckDB DECIMAL printed as VARCHAR (`"0.300000000000"`) in the gold form (`"0.3"`). */
export function normalizeDecimal(text: string): string {
  if (!text.includes('.')) return text === '-0' ? '0' : text
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '')
  return trimmed === '-0' ? '0' : trimmed
}

function parse(text: string): { units: bigint; scale: number } {
  const neg = text.startsWith('-')
  const body = neg ? text.slice(1) : text
  const dot = body.indexOf('.')
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1)
  const units = BigInt(digits)
  return { units: neg ? -units : units, scale: dot < 0 ? 0 : body.length - dot - 1 }
}

function format(units: bigint, scale: number): string {
  const neg = units < 0n
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return normalizeDecimal(neg ? `-${text}` : text)
}

/** The exact sum of decimal strings in the gold form; `"0"` for none. */
export function sumDecimals(values: Iterable<string>): string {
  let units = 0n
  let scale = 0
  for (const v of values) {
    const p = parse(v)
    if (p.scale > scale) {
      units *= 10n ** BigInt(p.scale - scale)
      scale = p.scale
    }
    units += p.units * 10n ** BigInt(scale - p.scale)
  }
  return format(units, scale)
}
