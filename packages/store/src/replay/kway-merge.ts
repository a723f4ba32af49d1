import type { ChunkQueue } from './chunk-queue.js'
import { compareEvents } from './event-order.js'
import type { ReplayEvent } from './replay-events.js'

/** One sorted input of the merge: the buffer it is at and where its next events come from. */
interface Cursor {
  buf: ReplayEvent[]
  i: number
  queue: ChunkQueue<ReplayEvent[]>
}

/** An input not opened yet: opened once the merge reaches `lowerTs`, so only inputs overlapping "now" hold memory. */
export interface PendingInput {
  lowerTs: number
  /** Orders inputs due at one time (any fixed order: the output does not depend on it). */
  name: string
  open(): ChunkQueue<ReplayEvent[]>
}

/**
 * A k-way merge in the replay order (`event-order.ts`) over inputs that are each already in that
 * order: a binary heap of cursors keyed by their next event, comparing time first and the rest of
 * the order only on a tie. Inputs start when the merge reaches their
 * earliest time, and each reads ahead on its own (see `unit-reader.ts`).
 */
export class KWayMerge {
  readonly #heap: Cursor[] = []
  readonly #pending: PendingInput[]
  #next = 0
  #closed = false
  readonly #open = new Set<Cursor>()
  /** Inputs started before they are due (so the next file is sorted while this one is merged). */
  readonly #early = new Map<PendingInput, ChunkQueue<ReplayEvent[]>>()
  readonly #ahead: number

  /** `ahead`: how many inputs beyond the due ones start reading early. */
  constructor(inputs: PendingInput[], ahead = 2) {
    this.#ahead = ahead
    this.#pending = [...inputs].sort((a, b) => a.lowerTs - b.lowerTs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Up to `max` next events (an empty array at the end). */
  async take(max: number): Promise<ReplayEvent[]> {
    const out: ReplayEvent[] = []
    const heap = this.#heap
    while (out.length < max && !this.#closed) {
      const top = heap[0]
      const topTs = top ? (top.buf[top.i] as ReplayEvent).ts : Number.POSITIVE_INFINITY
      const pending = this.#pending[this.#next]
      if (pending && pending.lowerTs <= topTs) {
        // With nothing open, only the earliest inputs are due (not every input at once).
        await this.#openDue(top ? topTs : pending.lowerTs)
        continue
      }
      if (!top) break
      out.push(top.buf[top.i++] as ReplayEvent)
      if (top.i === top.buf.length) {
        const buf = await top.queue.take()
        if (!buf) {
          this.#open.delete(top)
          const last = heap.pop() as Cursor
          if (heap.length > 0 && last !== top) {
            heap[0] = last
            this.#down(0)
          }
          continue
        }
        top.buf = buf
        top.i = 0
      }
      this.#down(0)
    }
    return out
  }

  /** Opens every pending input due at `ts` together, so their first reads overlap. */
  async #openDue(ts: number): Promise<void> {
    const due: PendingInput[] = []
    while (this.#next < this.#pending.length && (this.#pending[this.#next] as PendingInput).lowerTs <= ts) {
      due.push(this.#pending[this.#next++] as PendingInput)
    }
    const cursors = due.map((p) => {
      const queue = this.#early.get(p) ?? p.open()
      this.#early.delete(p)
      return { queue, buf: [] as ReplayEvent[], i: 0 }
    })
    for (const c of cursors) this.#open.add(c)
    for (let k = this.#next; k < Math.min(this.#pending.length, this.#next + Math.max(this.#ahead, due.length)); k++) {
      const p = this.#pending[k] as PendingInput
      if (!this.#early.has(p)) this.#early.set(p, p.open())
    }
    const firsts = await Promise.all(cursors.map((c) => c.queue.take()))
    cursors.forEach((c, k) => {
      const buf = firsts[k]
      if (!buf) {
        this.#open.delete(c)
        return
      }
      c.buf = buf
      this.#heap.push(c)
      this.#up(this.#heap.length - 1)
    })
  }

  /** Stops every input (their readers stop at their next chunk). */
  close(): void {
    this.#closed = true
    for (const c of this.#open) c.queue.cancel()
    for (const q of this.#early.values()) q.cancel()
    this.#open.clear()
    this.#early.clear()
    this.#heap.length = 0
  }

  #less(a: Cursor, b: Cursor): boolean {
    const x = a.buf[a.i] as ReplayEvent
    const y = b.buf[b.i] as ReplayEvent
    if (x.ts !== y.ts) return x.ts < y.ts
    return compareEvents(x, y) < 0
  }

  #up(i: number): void {
    const h = this.#heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.#less(h[i] as Cursor, h[p] as Cursor)) break
      ;[h[i], h[p]] = [h[p] as Cursor, h[i] as Cursor]
      i = p
    }
  }

  #down(i: number): void {
    const h = this.#heap
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) return
      const r = l + 1
      const c = r < n && this.#less(h[r] as Cursor, h[l] as Cursor) ? r : l
      if (!this.#less(h[c] as Cursor, h[i] as Cursor)) return
      ;[h[i], h[c]] = [h[c] as Cursor, h[i] as Cursor]
      i = c
    }
  }
}
