/**
 * Exact decimal strings as gold.ohlcv keeps its sums (`volume_exact`, …): plain notation, no
 * trailing zeros (`"0.3"`, `"12"`). Summing them is `ExactSum`'s job (candles/exact-sum.ts).
 */

/** A DuckDB DECIMAL printed as VARCHAR (`"0.300000000000"`) in the gold form (`"0.3"`). */
export function normalizeDecimal(text: string): string {
  if (!text.includes('.')) return text === '-0' ? '0' : text
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '')
  return trimmed === '-0' ? '0' : trimmed
}
