import { bucketStart, type Micros, type ParsedTimeframe } from '@k2/core'
import { Bucket, type BucketKey, filledCandle } from './bucket.js'
import type { EmptyCandle, Fill, OhlcvCandle, StreamCandle } from './types.js'

/** What a timeline needs from its aggregator. */
export interface TimelineHost {
  emit(candle: StreamCandle<OhlcvCandle | EmptyCandle>): void
  covers(key: BucketKey, start: Micros, end: Micros): boolean
}

/**
 * The live buckets of one (exchange, symbol, timeframe), in exchange time.
 *
 * - A bucket is *due* once a trade at or after its end has arrived (`maxTs ≥ end`): it is emitted
 *   then, as revision 0.
 * - It is *final* once the watermark `maxTs − allowedLateness` reaches its end: it is dropped, and a
 *   trade for it is late. Until then a trade for it (or a coverage change) re-emits it revised.
 * With `allowedLateness` 0 the two coincide: every candle is emitted once and never revised.
 */
export class Timeline {
  private buckets: Bucket[] = []
  private maxTs = Number.NEGATIVE_INFINITY
  /** Buckets starting before this are due. */
  private dueStart = Number.NEGATIVE_INFINITY
  /** Buckets starting before this are final. */
  private finalStart = Number.NEGATIVE_INFINITY
  private firstStart = Number.POSITIVE_INFINITY
  private lastFinalClose = Number.NaN
  /** Empty buckets exist for every start in [filledFrom, filledTo). */
  private filledFrom = Number.POSITIVE_INFINITY
  private filledTo = Number.NEGATIVE_INFINITY
  private current: Bucket | undefined

  constructor(
    readonly key: BucketKey,
    private readonly tf: ParsedTimeframe,
    private readonly offset: Micros,
    private readonly lateness: Micros,
    private readonly fill: Fill,
    private readonly host: TimelineHost,
  ) {}

  /** The start of the bucket a trade at ts falls in. */
  startOf(ts: Micros): Micros {
    const c = this.current
    return c !== undefined && ts >= c.start && ts < c.end ? c.start : bucketStart(ts, this.tf, this.offset)
  }

  /** True when the bucket starting at `start` is final: a trade for it is late. */
  isFinal(start: Micros): boolean {
    return start < this.finalStart
  }

  get watermark(): Micros {
    return this.maxTs - this.lateness
  }

  /** Adds a trade whose bucket `accepts` returned. */
  add(start: Micros, ts: Micros, id: string, price: number, qty: number, isBuy: boolean): void {
    const b = this.current?.start === start ? this.current : this.bucketAt(start)
    this.current = b
    b.add(ts, id, price, qty, isBuy)
    b.dirty = true
    if (start < this.firstStart) this.firstStart = start
    if (ts > this.maxTs) {
      this.maxTs = ts
      const due = start // the bucket holding the newest trade is the first not due
      if (due > this.dueStart) {
        this.dueStart = due
        this.sync()
      }
      // the watermark moves with every newer trade, even inside the same bucket
      this.finalize()
    } else if (start < this.dueStart) this.sync()
  }

  /** Re-emits due buckets whose candle changed (a coverage change, a late trade). */
  sync(): void {
    if (this.fill !== 'none') this.materialize(Math.max(this.firstStart, this.finalStart), this.dueStart)
    let prevClose = this.lastFinalClose
    for (const b of this.buckets) {
      if (b.start >= this.dueStart) break
      const complete = this.host.covers(this.key, b.start, b.end)
      if (b.trades > 0) {
        if (b.revision < 0 || b.dirty || complete !== b.emittedComplete) this.emit(b, b.toCandle(this.key, complete), complete)
        prevClose = b.close
      } else {
        const price = this.fill === 'prev' ? prevClose : Number.NaN
        if (b.revision < 0 || !Object.is(price, b.emittedFillPrice) || complete !== b.emittedComplete) {
          b.emittedFillPrice = price
          this.emit(b, filledCandle(this.key, b.start, complete, this.fill === 'prev' ? price : null), complete)
        }
      }
    }
  }

  /** Emits every bucket left, the open one too (the source ended). */
  flush(): void {
    const last = this.buckets[this.buckets.length - 1]
    if (last === undefined) return
    this.dueStart = last.end
    this.sync()
    this.buckets = []
    this.finalStart = last.end
  }

  private emit(b: Bucket, candle: OhlcvCandle | EmptyCandle, complete: boolean): void {
    b.revision++
    b.dirty = false
    b.emittedComplete = complete
    this.host.emit(Object.assign(candle, { revision: b.revision }))
  }

  private finalize(): void {
    const final = bucketStart(this.watermark, this.tf, this.offset)
    if (final <= this.finalStart) return
    this.finalStart = final
    let drop = 0
    while (drop < this.buckets.length && (this.buckets[drop] as Bucket).start < final) {
      const b = this.buckets[drop++] as Bucket
      if (b.trades > 0) this.lastFinalClose = b.close
    }
    if (drop > 0) this.buckets = this.buckets.slice(drop)
    if (this.current !== undefined && this.current.start < final) this.current = undefined
  }

  private bucketAt(start: Micros): Bucket {
    const list = this.buckets
    let i = list.length
    while (i > 0 && (list[i - 1] as Bucket).start > start) i--
    const found = list[i - 1]
    if (found !== undefined && found.start === start) return found
    const b = new Bucket(start, start + this.tf.micros)
    list.splice(i, 0, b)
    return b
  }

  /** Gives every start in [from, to) a bucket, so empty ones can be emitted as fills and revised. */
  private materialize(from: Micros, to: Micros): void {
    if (from >= to || (from >= this.filledFrom && to <= this.filledTo)) return
    const width = this.tf.micros
    const merged: Bucket[] = []
    let i = 0
    const list = this.buckets
    for (let s = from; s < to; s += width) {
      while (i < list.length && (list[i] as Bucket).start < s) merged.push(list[i++] as Bucket)
      if (i < list.length && (list[i] as Bucket).start === s) merged.push(list[i++] as Bucket)
      else merged.push(new Bucket(s, s + width))
    }
    while (i < list.length) merged.push(list[i++] as Bucket)
    this.buckets = merged
    this.filledFrom = from
    this.filledTo = to
  }
}
