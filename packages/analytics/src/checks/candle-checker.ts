import type { CandleRow } from './candle-row.js'
import type { CheckResult } from './report.js'

/** One (exchange, symbol, source) of candles; its rows follow, ordered by start. */
export interface CandleGroup {
  exchange: string
  symbol: string
  source: string
  /** Every timeframe of the group (known before its rows, so roll-up pairs can be chosen). */
  timeframes: readonly string[]
}

/** A candle check fed one group at a time, so a lake is checked without holding it in memory. */
export interface CandleChecker {
  begin?(group: CandleGroup): void
  observe(row: CandleRow): void
  end?(): void
  finish(): CheckResult
}
