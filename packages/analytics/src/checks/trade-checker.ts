import type { CheckResult } from './report.js'
import type { TradeKey, TradeRow } from './trade-row.js'

/** A trade check fed one exchange/symbol at a time, its trades in the order the check asks for. */
export interface TradeChecker {
  begin?(key: TradeKey): void
  observe(t: TradeRow): void
  end?(): void
  finish(): CheckResult
}
