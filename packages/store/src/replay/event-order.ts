import type { ReplayEvent } from './replay-events.js'

/**
 * The replay's total order. Events are sorted by
 *   1. `ts` (exchange time; a candle's close time),
 *   2. channel rank: disconnect markers, candles, book events, quotes, trades — so at one instant a
 *      strategy learns of a hole first, then what closed before it (a candle ending at `ts` holds only
 *      earlier trades), then the book, then the quote, then the trade,
 *   3. exchange, then symbol (code-unit order),
 *   4. a per-channel tie-break (`tieOf`): trade id (decimal ids numerically: shorter first, then code
 *      units); book sequence, snapshot before delta, first sequence, recvTs; quote recvTs, bid
 *      price/qty, ask price/qty; candle timeframe width, source; marker `until`, reason.
 * Events equal in all of these are identical in content, so any order among them yields the same bytes.
 */

export const CHANNEL_RANK = { disconnect: 0, candle: 1, book_snapshot: 2, book_delta: 2, quote: 3, trade: 4 } as const

/** The lane of an event: rank, exchange, symbol in one string that sorts in that order. */
export function laneOf(e: ReplayEvent): string {
  return `${CHANNEL_RANK[e.type]}\u0000${e.exchange}\u0000${e.symbol ?? ''}`
}

export type Tie = readonly (number | string)[]

const TF_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** The per-channel tie-break values of an event (compared element by element). */
export function tieOf(e: ReplayEvent): Tie {
  switch (e.type) {
    case 'trade':
      return [e.id.length, e.id]
    case 'book_snapshot':
    case 'book_delta':
      return [e.sequence ?? -1, e.type === 'book_snapshot' ? 0 : 1, e.firstSequence ?? -1, e.recvTs]
    case 'quote':
      return [e.recvTs, e.bidPrice, e.bidQty, e.askPrice, e.askQty]
    case 'candle':
      return [Number(e.timeframe.slice(0, -1)) * (TF_UNIT[e.timeframe.slice(-1)] ?? 0), e.source]
    case 'disconnect':
      return [e.until, e.reason]
  }
}

export function compareTies(a: Tie, b: Tie): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | string
    const y = b[i] as number | string
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** The sort key the merge compares: cheap fields first, the tie-break computed only on a tie. */
export interface Keyed {
  readonly ts: number
  readonly lane: string
  readonly event: ReplayEvent
}

export function compareKeyed(a: Keyed, b: Keyed): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  if (a.lane !== b.lane) return a.lane < b.lane ? -1 : 1
  return compareTies(tieOf(a.event), tieOf(b.event))
}

/** Full comparison of two events by the replay order (what a brute-force sort uses). */
export function compareEvents(a: ReplayEvent, b: ReplayEvent): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  const la = laneOf(a)
  const lb = laneOf(b)
  if (la !== lb) return la < lb ? -1 : 1
  return compareTies(tieOf(a), tieOf(b))
}
