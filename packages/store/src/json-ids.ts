/**
 * Results that carry snapshot ids (`bigint`) print them in JSON as decimal strings, as lineage stores
 * them: `JSON.stringify` throws on a bigint, and a number would round ids above 2^53. The `toJSON`
 * is non-enumerable, so the object still compares, spreads and displays as its plain fields.
 */
export function withJsonIds<T extends object>(value: T): T {
  Object.defineProperty(value, 'toJSON', { value: jsonWithIds, enumerable: false, configurable: true })
  return value
}

function jsonWithIds(this: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(this)) out[k] = typeof v === 'bigint' ? v.toString() : v
  return out
}
