import { type Micros, parseTimeframe, type TimeInput, toMicros } from '@k2/core'
import { type CandleColumns, type CandleInput, candleColumns } from './candle-columns.js'
import { invalid } from './validation.js'

export interface ExchangeReconciliationOptions {
  /** Largest tolerated |relative close divergence| (see `relativeDifference`). Default 0.001 (0.1 % = 10 bp). */
  priceTolerance?: number
  /** Largest tolerated |relative volume divergence|. Default 1 (flags one side trading over 3× the other). */
  volumeTolerance?: number
  /** The candles' width, to find buckets missing on both sides; default: the candles' own `timeframe`. */
  timeframe?: string
  /**
   * The span that should be covered, [from, to): candles outside it are ignored, and buckets in it
   * that neither side has are reported. Default: from the first to the last bucket either side has.
   */
  expected?: { from: TimeInput; to: TimeInput }
}

/** One bucket where the two sides disagree by more than the tolerance. */
export interface Divergence {
  start: Micros
  left: number
  right: number
  /** (left − right) / ((left + right) / 2): positive when the left side is higher. */
  relative: number
}

/** What differs between two exchanges' candles for one symbol and timeframe. */
export interface ExchangeReconciliation {
  /** True when nothing is missing and nothing diverges beyond the tolerances. */
  ok: boolean
  /** The sides' exchange names (from the candles), or 'left' / 'right'. */
  left: string
  right: string
  symbol: string | undefined
  timeframe: string | undefined
  /** Buckets both sides have. */
  matched: number
  /** Bucket starts (epoch µs, ascending) the right side has and the left lacks. */
  missingLeft: Float64Array
  /** Bucket starts the left side has and the right lacks. */
  missingRight: Float64Array
  /** Bucket starts in the span that neither side has (only when the timeframe is known). */
  missingBoth: Float64Array
  priceDivergences: Divergence[]
  volumeDivergences: Divergence[]
  /** Largest |relative| close divergence over the matched buckets (NaN when none matched). */
  maxPriceDivergence: number
  maxVolumeDivergence: number
}

/** (a − b) / ((a + b) / 2), symmetric in its arguments up to sign; 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0
  return (a - b) / ((a + b) / 2)
}

/** The single value of a column, or undefined; a VALIDATION error when it holds two. */
function single(values: (string | undefined)[], what: string): string | undefined {
  const set = new Set(values.filter((v) => v !== undefined))
  if (set.size > 1) throw invalid(`reconcileExchanges: the ${what} candles mix ${[...set].join(', ')}; pass one per side`)
  return set.values().next().value
}

/** Row of each bucket start; candles outside the span are left out. */
function byStart(c: CandleColumns, side: string, span: Span | undefined): Map<number, number> {
  const rows = new Map<number, number>()
  for (let i = 0; i < c.start.length; i++) {
    const s = c.start[i] as number
    if (!Number.isFinite(s) || !Number.isFinite(c.close[i])) continue // a candle with no price counts as missing
    if (span && (s < span.from || s >= span.to)) continue
    if (rows.has(s)) throw invalid(`reconcileExchanges: the ${side} candles have start ${s} twice; deduplicate them first`, { start: s })
    rows.set(s, i)
  }
  return rows
}

/**
 * Cross-exchange reconciliation of candles for the same symbol and timeframe (e.g. Binance and
 * Kraken BTC-USDT 1m): which buckets are missing on either side, and where the close prices or the
 * volumes diverge beyond a tolerance, as a typed report.
 *
 * Divergence is relative to the mean of the two: d = (left − right) / ((left + right) / 2), so the
 * report does not depend on which side comes first (only the signs flip); a divergence is reported
 * when |d| > tolerance. Candles with a missing close (e.g. `fill: 'null'`) count as missing; a
 * missing volume skips the volume check for that bucket. Two sides with different symbols or
 * timeframes, or a side with a bucket twice, are VALIDATION errors. Inputs need not be sorted.
 *
 * @example
 * const report = reconcileExchanges(binance1m, kraken1m, { priceTolerance: 0.002 })
 * if (!report.ok) console.log(report.missingRight.length, report.priceDivergences.slice(0, 5))
 */
export function reconcileExchanges(
  left: CandleInput,
  right: CandleInput,
  options: ExchangeReconciliationOptions = {},
): ExchangeReconciliation {
  const { priceTolerance = 0.001, volumeTolerance = 1 } = options
  for (const [name, v] of [
    ['priceTolerance', priceTolerance],
    ['volumeTolerance', volumeTolerance],
  ] as const) {
    if (!(v >= 0)) throw invalid(`reconcileExchanges: ${name} must be a relative tolerance >= 0 (0.001 is 0.1 %), got ${v}`)
  }
  const a = candleColumns(left, 'reconcileExchanges: left')
  const b = candleColumns(right, 'reconcileExchanges: right')
  const symbols = [single(a.symbol, 'left'), single(b.symbol, 'right')]
  if (symbols[0] && symbols[1] && symbols[0] !== symbols[1]) {
    throw invalid(`reconcileExchanges: the sides hold different symbols (${symbols[0]}, ${symbols[1]}); pass candles of one symbol`)
  }
  const frames = [single(a.timeframe, 'left'), single(b.timeframe, 'right'), options.timeframe].filter((t) => t !== undefined)
  if (new Set(frames).size > 1)
    throw invalid(`reconcileExchanges: timeframes differ (${frames.join(', ')}); compare candles of one timeframe`)
  const timeframe = frames[0]
  const span = options.expected ? { from: toMicros(options.expected.from), to: toMicros(options.expected.to) } : undefined
  const rowsA = byStart(a, 'left', span)
  const rowsB = byStart(b, 'right', span)

  const priceDivergences: Divergence[] = []
  const volumeDivergences: Divergence[] = []
  let maxPrice = Number.NaN
  let maxVolume = Number.NaN
  const missingLeft: number[] = []
  const missingRight: number[] = []
  const starts = [...new Set([...rowsA.keys(), ...rowsB.keys()])].sort((x, y) => x - y)
  for (const start of starts) {
    const i = rowsA.get(start)
    const j = rowsB.get(start)
    if (i === undefined) missingLeft.push(start)
    if (j === undefined) missingRight.push(start)
    if (i === undefined || j === undefined) continue
    const price = divergence(start, a.close[i] as number, b.close[j] as number)
    maxPrice = Number.isNaN(maxPrice) ? Math.abs(price.relative) : Math.max(maxPrice, Math.abs(price.relative))
    if (Math.abs(price.relative) > priceTolerance) priceDivergences.push(price)
    const volume = divergence(start, a.volume[i] as number, b.volume[j] as number)
    if (Number.isNaN(volume.relative)) continue
    maxVolume = Number.isNaN(maxVolume) ? Math.abs(volume.relative) : Math.max(maxVolume, Math.abs(volume.relative))
    if (Math.abs(volume.relative) > volumeTolerance) volumeDivergences.push(volume)
  }
  const missingBoth = timeframe ? bothMissing(timeframe, starts, rowsA, rowsB, span) : []
  const matched = starts.length - missingLeft.length - missingRight.length
  const ok = missingLeft.length + missingRight.length + missingBoth.length + priceDivergences.length + volumeDivergences.length === 0
  return {
    ok,
    left: single(a.exchange, 'left') ?? 'left',
    right: single(b.exchange, 'right') ?? 'right',
    symbol: symbols[0] ?? symbols[1],
    timeframe,
    matched,
    missingLeft: Float64Array.from(missingLeft),
    missingRight: Float64Array.from(missingRight),
    missingBoth: Float64Array.from(missingBoth),
    priceDivergences,
    volumeDivergences,
    maxPriceDivergence: maxPrice,
    maxVolumeDivergence: maxVolume,
  }
}

function divergence(start: number, left: number, right: number): Divergence {
  return { start, left, right, relative: relativeDifference(left, right) }
}

/** Bucket starts on the candles' grid in [from, to) that neither side has. */
function bothMissing(
  timeframe: string,
  starts: number[],
  rowsA: Map<number, number>,
  rowsB: Map<number, number>,
  span: Span | undefined,
): number[] {
  const width = parseTimeframe(timeframe).micros
  const anchor = starts[0]
  if (anchor === undefined && span === undefined) return []
  const from = span ? span.from : (anchor as number)
  const to = span ? span.to : (starts.at(-1) as number) + width
  if ((to - from) / width > 10_000_000) throw invalid('reconcileExchanges: the expected span holds over 10 million buckets; narrow it')
  // Walk the grid the candles use (through their first start), not one through an arbitrary `from`.
  const grid = anchor ?? from
  const first = from + ((((grid - from) % width) + width) % width)
  const out: number[] = []
  for (let s = first; s < to; s += width) if (!rowsA.has(s) && !rowsB.has(s)) out.push(s)
  return out
}

interface Span {
  from: number
  to: number
}
