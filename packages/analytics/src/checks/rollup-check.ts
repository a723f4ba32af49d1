import { bucketStart, type ParsedTimeframe, parseTimeframe } from '@k2/core'
import type { CandleChecker, CandleGroup } from './candle-checker.js'
import type { CandleRow } from './candle-row.js'
import { addDecimal, compareDecimal, type Decimal, exactOf, formatDecimal, parseDecimal, toDouble, ZERO } from './decimal.js'
import type { ResolvedOptions } from './options.js'
import { Tally } from './report.js'
import { rollupPairs } from './rollup-pairs.js'

/** One higher-timeframe bucket: its candle, and the aggregate of the lower candles inside it. */
interface Bucket {
  start: number
  higher: CandleRow | undefined
  lowerCount: number
  lowerIncomplete: boolean
  /** The first lower candle of the group is in this bucket (so lower data may begin inside it). */
  holdsFirstLower: boolean
  firstLowerStart: number
  open: number
  close: number
  high: number
  low: number
  trades: number
  volume: Decimal
  quoteVolume: Decimal
  buyVolume: Decimal
}

export interface Difference {
  field: string
  higher: number | string | boolean | null
  lower: number | string | boolean | null
}

const newBucket = (start: number): Bucket => ({
  start,
  higher: undefined,
  lowerCount: 0,
  lowerIncomplete: false,
  holdsFirstLower: false,
  firstLowerStart: start,
  open: Number.NaN,
  close: Number.NaN,
  high: Number.NEGATIVE_INFINITY,
  low: Number.POSITIVE_INFINITY,
  trades: 0,
  volume: ZERO,
  quoteVolume: ZERO,
  buyVolume: ZERO,
})

function addLower(b: Bucket, c: CandleRow): void {
  b.lowerCount++
  if (!c.complete) b.lowerIncomplete = true
  b.trades += c.trades
  b.volume = addDecimal(b.volume, exactOf(c.volumeExact, c.volume) ?? ZERO)
  b.quoteVolume = addDecimal(b.quoteVolume, exactOf(c.quoteVolumeExact, c.quoteVolume) ?? ZERO)
  b.buyVolume = addDecimal(b.buyVolume, exactOf(c.buyVolumeExact, c.buyVolume) ?? ZERO)
  if (c.trades <= 0) return // a filled (empty) candle carries no prices of its own
  if (Number.isNaN(b.open)) b.open = c.open
  b.close = c.close
  b.high = Math.max(b.high, c.high)
  b.low = Math.min(b.low, c.low)
}

/** Fields of `h` that differ from the aggregate; volumes compared as exact decimals. */
export function differences(h: CandleRow, b: Bucket): Difference[] {
  const out: Difference[] = []
  const num = (field: string, higher: number, lower: number) => {
    if (!Object.is(higher, lower)) out.push({ field, higher, lower })
  }
  const exact = (field: string, double: number, text: string | null, sum: Decimal) => {
    const given = text === null ? undefined : parseDecimal(text)
    if (toDouble(sum) !== double || (given !== undefined && compareDecimal(given, sum) !== 0))
      out.push({ field, higher: text ?? double, lower: formatDecimal(sum) })
  }
  num('trades', h.trades, b.trades)
  exact('volume', h.volume, h.volumeExact, b.volume)
  exact('quoteVolume', h.quoteVolume, h.quoteVolumeExact, b.quoteVolume)
  exact('buyVolume', h.buyVolume, h.buyVolumeExact, b.buyVolume)
  if (b.trades > 0 && h.trades > 0) {
    num('open', h.open, b.open)
    num('high', h.high, b.high)
    num('low', h.low, b.low)
    num('close', h.close, b.close)
    const volume = toDouble(b.volume)
    if (volume > 0) num('vwap', h.vwap, Math.min(Math.max(toDouble(b.quoteVolume) / volume, b.low), b.high))
  }
  return out
}

/**
 * `candle.rollup`, check (4): each higher-timeframe candle equals the aggregate of its lower ones
 * (first open, last close, max high, min low, Σ trades, exact Σ volumes, VWAP from the sums) — a
 * second implementation, independent of the aggregator that derives them. Buckets where the higher
 * candle or a lower one is incomplete are not compared (trades may be missing from either), but a
 * complete higher candle over an incomplete lower one is an offence. Only buckets inside the span
 * of the lower timeframe are compared: retention keeps lower timeframes for less time.
 */
export function rollupChecker(target: string, opts: ResolvedOptions): CandleChecker {
  const tally = new Tally('candle.rollup', target, 'buckets', opts.examples)
  const skipped = { incomplete: 0, outside: 0 }
  let group: CandleGroup | undefined
  let pairs: PairState[] = []

  interface PairState {
    lower: string
    higher: string
    higherTf: ParsedTimeframe
    offset: number
    current: Bucket | undefined
    seenLower: boolean
    /** Higher candles with no lower ones since the last lower candle: offences if lower data resumes. */
    pending: CandleRow[]
  }

  const offend = (p: PairState, start: number, problem: string, lowerCandles: number, diffs: Difference[], higher: unknown) =>
    tally.offend({
      exchange: group?.exchange,
      symbol: group?.symbol,
      source: group?.source,
      timeframe: p.higher,
      lower: p.lower,
      start,
      problem,
      lowerCandles,
      differences: diffs,
      higher,
    })

  const flush = (p: PairState, b: Bucket) => {
    const h = b.higher
    if (!h) {
      if (b.trades > 0) {
        tally.checked++
        offend(p, b.start, 'missing higher candle', b.lowerCount, [], null)
      }
      return
    }
    if (b.lowerCount === 0) {
      if (h.trades <= 0) return
      if (p.seenLower) p.pending.push(h)
      else skipped.outside++
      return
    }
    for (const lone of p.pending.splice(0)) {
      tally.checked++
      offend(p, lone.start, 'no lower candles', 0, [], lone.raw)
    }
    if (b.holdsFirstLower && b.firstLowerStart > b.start) {
      skipped.outside++ // the lower timeframe begins inside this bucket
      return
    }
    tally.checked++
    if (b.lowerIncomplete && h.complete)
      return offend(
        p,
        b.start,
        'complete over incomplete lower candles',
        b.lowerCount,
        [{ field: 'complete', higher: true, lower: false }],
        h.raw,
      )
    if (b.lowerIncomplete || !h.complete) return void skipped.incomplete++
    const diffs = differences(h, b)
    if (diffs.length > 0) offend(p, b.start, 'fields differ', b.lowerCount, diffs, h.raw)
  }

  const bucketFor = (p: PairState, start: number): Bucket => {
    if (p.current && start > p.current.start) {
      flush(p, p.current)
      p.current = undefined
    }
    p.current ??= newBucket(start)
    return p.current
  }

  return {
    begin(g) {
      group = g
      pairs = rollupPairs(g.timeframes, opts).map(([lower, higher]) => ({
        lower,
        higher,
        higherTf: parseTimeframe(higher),
        offset: opts.offsetOf(higher),
        current: undefined,
        seenLower: false,
        pending: [],
      }))
    },
    observe(c) {
      for (const p of pairs) {
        if (c.timeframe === p.higher) {
          if (bucketStart(c.start, c.tf, p.offset) !== c.start) continue // misaligned: candle.aligned reports it
          const b = bucketFor(p, c.start)
          b.higher ??= c
        } else if (c.timeframe === p.lower) {
          const start = bucketStart(c.start, p.higherTf, p.offset)
          const b = bucketFor(p, start)
          if (!p.seenLower) {
            p.seenLower = true
            b.holdsFirstLower = true
            b.firstLowerStart = c.start
          }
          addLower(b, c)
        }
      }
    },
    end() {
      for (const p of pairs) {
        if (p.current) flush(p, p.current)
        skipped.outside += p.pending.length // after the lower timeframe ends
      }
      pairs = []
    },
    finish() {
      const notes = [
        ...(skipped.incomplete > 0 ? [`${skipped.incomplete} incomplete`] : []),
        ...(skipped.outside > 0 ? [`${skipped.outside} outside the lower timeframe's span`] : []),
      ]
      return tally.result(
        'each higher-timeframe candle equals the aggregate of its lower ones',
        notes.length ? `not compared: ${notes.join(', ')}` : undefined,
      )
    },
  }
}
