import { bucketStart, type Candle, K2Error, type Micros, type ParsedTimeframe, parseTimeframe, type Timeframe } from '@k2/core'
import { coveredBy } from './batch.js'
import { type BucketKey, filledCandle, vwapOf } from './bucket.js'
import { ExactSum } from './exact-sum.js'
import type { CoverageBreak, EmptyCandle, Fill, OhlcvCandle } from './types.js'

/** A lower candle as resample reads it: a Candle, with exact sums when it has them (gold rows do). */
export type LowerCandle = (Candle | OhlcvCandle | EmptyCandle) & {
  volumeExact?: string | null
  quoteVolumeExact?: string | null
  buyVolumeExact?: string | null
}

export interface ResampleOptions {
  /** Offset of the higher buckets (µs); every higher boundary must be a lower boundary. Default 0. */
  offset?: Micros
  fill?: Fill
  /**
   * Time not covered by the data, as for `ohlcv()`: a higher candle overlapping it is incomplete even
   * when the outage fell in a lower bucket that had no trades (and so no candle to say so).
   */
  gaps?: readonly CoverageBreak[]
}

/**
 * Higher-timeframe candles from lower ones, equal bit for bit to computing them from the trades:
 * open of the first, close of the last, max, min, Σ counts, and volumes summed exactly (from the
 * `*_exact` strings when present, else from each double's shortest decimal). Empty lower candles
 * (fills) add nothing. A higher candle is complete when all its lower candles are and it overlaps
 * none of `gaps`.
 *
 * @example
 * const hourly = resample(ohlcv(trades, '1m'), '1h') // same as ohlcv(trades, '1h')
 */
export function resample(
  candles: readonly LowerCandle[],
  timeframe: Timeframe,
  options: ResampleOptions = {},
): Array<OhlcvCandle | EmptyCandle> {
  const target = parseTimeframe(timeframe)
  const offset = options.offset ?? 0
  const groups = new Map<string, Map<Micros, Acc>>()
  let source: { tf: ParsedTimeframe; phase: Micros } | undefined
  for (const [i, c] of candles.entries()) {
    source ??= checkTarget(c, target, offset)
    if (c.timeframe !== source.tf.timeframe || mod(c.start, source.tf.micros) !== source.phase)
      throw new K2Error(
        'VALIDATION',
        `resample: candle ${i} is ${c.timeframe} at ${c.start}, unlike the first (${source.tf.timeframe}, aligned to ${source.phase} µs); resample one timeframe at a time`,
      )
    const key = `${c.exchange}\u0000${c.symbol}`
    let buckets = groups.get(key)
    if (buckets === undefined) {
      buckets = new Map()
      groups.set(key, buckets)
    }
    const start = bucketStart(c.start, target, offset)
    let acc = buckets.get(start)
    if (acc === undefined) {
      acc = new Acc(c, start)
      buckets.set(start, acc)
    }
    acc.add(c)
  }
  const out: Array<OhlcvCandle | EmptyCandle> = []
  const keys = [...groups.keys()].sort()
  const fill = options.fill ?? 'none'
  const gaps = options.gaps ?? []
  const covered = (start: Micros) => coveredBy(gaps, start, start + target.micros)
  for (const name of keys) {
    const byStart = groups.get(name) as Map<Micros, Acc>
    const real = [...byStart.values()].filter((a) => a.trades > 0).sort((a, b) => a.start - b.start)
    let prev: Acc | undefined
    for (const a of real) {
      const key: BucketKey = { exchange: a.exchange, symbol: a.symbol, timeframe: target.timeframe }
      if (prev !== undefined && fill !== 'none')
        for (let s = prev.start + target.micros; s < a.start; s += target.micros) {
          // a higher bucket of only empty lower candles is empty; it is complete when they all were
          const complete = (byStart.get(s)?.complete ?? true) && covered(s)
          out.push(filledCandle(key, s, complete, fill === 'prev' ? prev.close : null))
        }
      out.push(a.toCandle(key, covered(a.start)))
      prev = a
    }
  }
  return out
}

function checkTarget(first: LowerCandle, target: ParsedTimeframe, offset: Micros): { tf: ParsedTimeframe; phase: Micros } {
  const tf = parseTimeframe(first.timeframe)
  const phase = mod(first.start, tf.micros)
  if (target.micros % tf.micros !== 0)
    throw new K2Error(
      'VALIDATION',
      `resample: ${target.timeframe} is not a whole multiple of ${tf.timeframe}; pick a higher timeframe made of whole ${tf.timeframe} buckets`,
    )
  if (mod(offset - phase, tf.micros) !== 0)
    throw new K2Error(
      'VALIDATION',
      `resample: ${target.timeframe} buckets at offset ${offset} µs do not start on ${tf.timeframe} boundaries (these start ${phase} µs past the epoch grid); pass the lower candles' offset`,
    )
  return { tf, phase }
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m
}

class Acc {
  readonly exchange: BucketKey['exchange']
  readonly symbol: BucketKey['symbol']
  readonly source: Candle['source']
  private readonly starts = new Set<Micros>()
  open = 0
  close = 0
  high = Number.NEGATIVE_INFINITY
  low = Number.POSITIVE_INFINITY
  trades = 0
  complete = true
  private firstStart = Number.POSITIVE_INFINITY
  private lastStart = Number.NEGATIVE_INFINITY
  private readonly volume = new ExactSum()
  private readonly quote = new ExactSum()
  private readonly buy = new ExactSum()

  constructor(
    c: LowerCandle,
    readonly start: Micros,
  ) {
    this.exchange = c.exchange
    this.symbol = c.symbol
    this.source = c.source
  }

  add(c: LowerCandle): void {
    if (this.starts.has(c.start))
      throw new K2Error(
        'VALIDATION',
        `resample: two ${c.timeframe} candles of ${c.exchange} ${c.symbol} start at ${c.start}; pass each bucket once (of a live stream, its highest revision)`,
      )
    this.starts.add(c.start)
    this.complete &&= c.complete
    if (c.trades === 0 || c.open === null || c.close === null || c.high === null || c.low === null) return
    if (c.start < this.firstStart) {
      this.firstStart = c.start
      this.open = c.open
    }
    if (c.start > this.lastStart) {
      this.lastStart = c.start
      this.close = c.close
    }
    if (c.high > this.high) this.high = c.high
    if (c.low < this.low) this.low = c.low
    this.trades += c.trades
    this.volume.add(c.volumeExact ?? c.volume)
    this.quote.add(c.quoteVolumeExact ?? c.quoteVolume)
    this.buy.add(c.buyVolumeExact ?? c.buyVolume)
  }

  /** `covered`: the bucket overlaps none of the caller's gaps. */
  toCandle(key: BucketKey, covered: boolean): OhlcvCandle {
    const volume = this.volume.value()
    const quoteVolume = this.quote.value()
    return {
      ...key,
      start: this.start,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume,
      quoteVolume,
      trades: this.trades,
      buyVolume: this.buy.value(),
      vwap: vwapOf(quoteVolume, volume, this.low, this.high),
      complete: this.complete && covered,
      source: this.source,
      volumeExact: this.volume.exact(),
      quoteVolumeExact: this.quote.exact(),
      buyVolumeExact: this.buy.exact(),
    }
  }
}
