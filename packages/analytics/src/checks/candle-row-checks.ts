import type { CandleChecker } from './candle-checker.js'
import type { CandleRow } from './candle-row.js'
import { compareDecimal, exactOf } from './decimal.js'
import type { CheckName, ResolvedOptions } from './options.js'
import { Tally } from './report.js'

/** A check of each candle on its own: `offends(row)` is true for a bad one. */
function rowCheck(name: CheckName, target: string, opts: ResolvedOptions, rule: string, offends: (c: CandleRow) => boolean): CandleChecker {
  const tally = new Tally(name, target, 'candles', opts.examples)
  return {
    observe(c) {
      tally.checked++
      if (offends(c)) tally.offend(c.raw)
    },
    finish: () => tally.result(rule),
  }
}

// Written as negations of what must hold, so NaN (which fails every comparison) is an offence.
const ohlcOrder = (c: CandleRow) =>
  !(c.low <= Math.min(c.open, c.close) && Math.min(c.open, c.close) <= Math.max(c.open, c.close) && Math.max(c.open, c.close) <= c.high)
const vwapRange = (c: CandleRow) => !(c.low <= c.vwap && c.vwap <= c.high)
const nonNegative = (c: CandleRow) =>
  !(c.volume >= 0 && c.quoteVolume >= 0 && c.buyVolume >= 0 && Number.isFinite(c.volume + c.quoteVolume + c.buyVolume)) ||
  !(Number.isSafeInteger(c.trades) && c.trades >= 0)
const volumeTrades = (c: CandleRow) => c.volume > 0 !== c.trades > 0

function buyAboveVolume(c: CandleRow): boolean {
  const buy = exactOf(c.buyVolumeExact, c.buyVolume)
  const volume = exactOf(c.volumeExact, c.volume)
  return buy === undefined || volume === undefined || compareDecimal(buy, volume) > 0
}

/** Checks (1)–(3) of each candle: price order, VWAP range, signs, buy volume, volume ⇔ trades, alignment, future. */
export function candleRowCheckers(target: string, opts: ResolvedOptions): CandleChecker[] {
  const aligned = (c: CandleRow) => {
    const width = c.tf.micros
    return (((c.start - opts.offsetOf(c.tf.timeframe)) % width) + width) % width !== 0
  }
  const all: [CheckName, string, (c: CandleRow) => boolean][] = [
    ['candle.ohlc-order', 'low ≤ min(open, close) ≤ max(open, close) ≤ high', ohlcOrder],
    ['candle.vwap-range', 'low ≤ vwap ≤ high', vwapRange],
    ['candle.non-negative', 'volume, quote volume, buy volume ≥ 0 and trades a whole number ≥ 0', nonNegative],
    ['candle.buy-volume', 'buy volume ≤ volume (exact decimals)', buyAboveVolume],
    ['candle.volume-trades', 'volume > 0 ⇔ trades > 0', volumeTrades],
    ['candle.aligned', 'start is a multiple of the timeframe from the epoch (plus the offset)', aligned],
    ['candle.future', `start ≤ now (${new Date(opts.now / 1000).toISOString()})`, (c) => c.start > opts.now],
  ]
  return all.filter(([name]) => opts.enabled(name)).map(([name, rule, offends]) => rowCheck(name, target, opts, rule, offends))
}

/** `candle.unique`: one candle per (exchange, symbol, timeframe, source, start); rows arrive ordered by start. */
export function uniqueChecker(target: string, opts: ResolvedOptions): CandleChecker {
  const tally = new Tally('candle.unique', target, 'candles', opts.examples)
  let start = Number.NaN
  let seen = new Set<string>()
  return {
    begin() {
      start = Number.NaN
    },
    observe(c) {
      tally.checked++
      if (c.start !== start) {
        start = c.start
        seen = new Set()
      }
      if (seen.has(c.timeframe)) tally.offend(c.raw)
      else seen.add(c.timeframe)
    },
    finish: () => tally.result('one candle per (exchange, symbol, timeframe, source, start)'),
  }
}
