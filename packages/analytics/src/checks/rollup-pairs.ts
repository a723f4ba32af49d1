import { parseTimeframe, type Timeframe } from '@k2/core'
import type { ResolvedOptions } from './options.js'

/**
 * The [lower, higher] pairs to compare in one group: the pairs asked for whose timeframes are both
 * present, or else each timeframe against the largest present one that divides it (with offsets
 * that agree), so every level is compared once: 1m→5m, 5m→30m, 30m→1h, 1h→1d.
 */
export function rollupPairs(present: readonly string[], opts: ResolvedOptions): [Timeframe, Timeframe][] {
  const have = new Set(present)
  if (opts.pairs) return opts.pairs.filter(([lo, hi]) => have.has(lo) && have.has(hi)).map(([lo, hi]) => [lo, hi])
  const tfs = present.map((t) => parseTimeframe(t)).sort((a, b) => a.micros - b.micros)
  const out: [Timeframe, Timeframe][] = []
  for (const hi of tfs) {
    const lo = tfs
      .filter((c) => c.micros < hi.micros && hi.micros % c.micros === 0)
      .filter((c) => (opts.offsetOf(hi.timeframe) - opts.offsetOf(c.timeframe)) % c.micros === 0)
      .at(-1)
    if (lo) out.push([lo.timeframe, hi.timeframe])
  }
  return out
}
