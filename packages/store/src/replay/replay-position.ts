import { compareTies, laneOf, type Tie, tieOf } from './event-order.js'
import type { ReplayEvent } from './replay-events.js'

/**
 * Where a replay stands: the sort key of the last event yielded, how many events with exactly that
 * key were yielded (identical events, e.g. two equal quotes, are told apart by count) and the
 * snapshot. Plain JSON: store it, and `lake.replay({ ...opts, from: position })` yields exactly
 * the events after it.
 */
export interface ReplayPosition {
  readonly kind: 'k2.replay-position'
  readonly snapshot: string
  readonly ts: number
  readonly lane: string
  readonly tie: Tie
  /** Events with this exact key already yielded (≥ 1). */
  readonly n: number
}

export function isReplayPosition(value: unknown): value is ReplayPosition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'k2.replay-position'
}

export function positionOf(e: ReplayEvent, n: number, snapshot: string): ReplayPosition {
  return { kind: 'k2.replay-position', snapshot, ts: e.ts, lane: laneOf(e), tie: tieOf(e), n }
}

/** Compares an event with a position's key: < 0 before it, 0 the same key, > 0 after. */
export function compareToPosition(e: ReplayEvent, p: ReplayPosition): number {
  if (e.ts !== p.ts) return e.ts < p.ts ? -1 : 1
  const lane = laneOf(e)
  if (lane !== p.lane) return lane < p.lane ? -1 : 1
  return compareTies(tieOf(e), p.tie)
}

/** Whether two events have the same sort key. */
export function sameKey(a: ReplayEvent, b: ReplayEvent): boolean {
  return a.ts === b.ts && laneOf(a) === laneOf(b) && compareTies(tieOf(a), tieOf(b)) === 0
}
