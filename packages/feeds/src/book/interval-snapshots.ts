import type { BookSnapshot, Micros } from '@k2/core'
import type { OrderBook } from './order-book.js'

/** Top-N snapshots on an interval: `every` in µs, `depth` levels per side, `interval` the label they carry. */
export interface IntervalSnapshotOptions {
  every: Micros
  depth: number
  interval: string
}

/**
 * Takes top-N snapshots of one book at the end of each interval of a grid aligned to the epoch, on the
 * exchange time (`ts`) of the book's deltas. An interval is closed by the first delta stamped at or after
 * its end: the snapshot is the book before that delta, stamped with the interval's end, so it holds exactly
 * the deltas stamped before it. Like tardis-dev's `book_snapshot_N_interval`, only intervals that had
 * deltas get one; a quiet interval's book is the previous snapshot's.
 */
export class IntervalSnapshots {
  /** The end of the interval the last applied delta fell in; undefined until a delta after a snapshot. */
  private end: Micros | undefined

  constructor(private readonly o: IntervalSnapshotOptions) {}

  /** The book starts again (a snapshot, a desync): the grid waits for the next delta. */
  reset(): void {
    this.end = undefined
  }

  /** Before a delta stamped `ts` is applied: the snapshot of the interval it closes, if any. */
  closing(book: OrderBook, ts: Micros, recvTs: Micros): BookSnapshot | undefined {
    if (this.end === undefined || ts < this.end) return undefined
    return { ...book.snapshot(this.o.depth), ts: this.end, recvTs, interval: this.o.interval }
  }

  /** A delta stamped `ts` was applied: it opens (or falls in) its interval. Time never moves the grid back. */
  applied(ts: Micros): void {
    const end = (Math.floor(ts / this.o.every) + 1) * this.o.every
    if (this.end === undefined || end > this.end) this.end = end
  }
}
