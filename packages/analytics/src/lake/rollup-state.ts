import type { LakeTable } from '@k2/store'

/**
 * What the last roll-up processed, kept in the snapshot summary of the gold.ohlcv commit that
 * wrote its candles: the silver.trades and bronze.coverage snapshots it read and its timeframes.
 * Other commits to gold (retention, compaction) carry no such entries; the newest ancestor that
 * does is the state. Expired snapshots take it with them: the next roll-up is then a full one.
 */

export const SUMMARY_KEYS = {
  silver: 'k2.rollup.silver-snapshot-id',
  coverage: 'k2.rollup.coverage-snapshot-id',
  timeframes: 'k2.rollup.timeframes',
} as const

export interface RollupState {
  silver: bigint | null
  coverage: bigint | null
  /** Comma-separated, narrowest first. */
  timeframes: string
}

const encode = (id: bigint | null) => (id === null ? 'none' : id.toString())
const decode = (text: string) => (text === 'none' ? null : BigInt(text))

export function stateSummary(s: RollupState): Record<string, string> {
  return { [SUMMARY_KEYS.silver]: encode(s.silver), [SUMMARY_KEYS.coverage]: encode(s.coverage), [SUMMARY_KEYS.timeframes]: s.timeframes }
}

/** The state of the last roll-up committed to `gold`, or null when there was none (or it expired). */
export async function lastRollup(gold: LakeTable<'gold.ohlcv'>): Promise<RollupState | null> {
  const history = await gold.history()
  const byId = new Map(history.map((s) => [s.snapshotId, s]))
  let s = history.find((x) => x.current)
  while (s) {
    const silver = s.summary[SUMMARY_KEYS.silver]
    if (silver !== undefined) {
      return {
        silver: decode(silver),
        coverage: decode(s.summary[SUMMARY_KEYS.coverage] ?? 'none'),
        timeframes: s.summary[SUMMARY_KEYS.timeframes] ?? '',
      }
    }
    s = s.parentId === null ? undefined : byId.get(s.parentId)
  }
  return null
}
