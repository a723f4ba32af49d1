/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

// Charts and notebook display (docs/charts.md)
export * from './charts/index.js'
// Invariant checks and reconciliation (docs/checks.md)
export {
  type CandleKey,
  CHECK_NAMES,
  type CheckName,
  type CheckOptions,
  CheckReport,
  type CheckResult,
  type CheckTarget,
  type CheckUnit,
  check,
  type FieldDifference,
  RECONCILE_FIELDS,
  type ReconcileField,
  type ReconcileOptions,
  ReconcileReport,
  reconcile,
  type Tolerance,
} from './checks/index.js'
// Candles over the lake: exact SQL OHLCV and the incremental roll-up into gold.ohlcv (docs/rollup.md).
export { type LakeOhlcvOptions, lakeGoldRows, lakeOhlcv } from './lake/lake-ohlcv.js'
export { DEFAULT_GOLD_RETENTION, type RollupOptions, type RollupResult, rollup } from './lake/rollup.js'
// Research functions (docs/research.md): returns, volatility, rolling VWAP/TWAP, correlation,
// order-flow imbalance, market impact, cross-exchange reconciliation.
export { type AlignedSeries, alignByTime, type KeyedSeries } from './research/align.js'
export type { BucketOptions } from './research/buckets.js'
export type { CandleInput, CandleLike } from './research/candle-columns.js'
export type { NumericInput } from './research/columns.js'
export { type CorrelationMatrix, type CorrelationOptions, correlationMatrix } from './research/correlation.js'
export {
  type Divergence,
  type ExchangeReconciliation,
  type ExchangeReconciliationOptions,
  reconcileExchanges,
  relativeDifference,
} from './research/exchange-reconciliation.js'
export { type MarketImpact, marketImpact } from './research/market-impact.js'
export { type OrderFlowImbalance, ofiEvents, orderFlowImbalance } from './research/order-flow-imbalance.js'
export type { PriceInput } from './research/price-series.js'
export type { QuoteInput, QuoteLike } from './research/quote-columns.js'
export { type RealizedVolatilityOptions, realizedVolatility } from './research/realized-volatility.js'
export { type LinearFit, linearRegression } from './research/regression.js'
export { type ReturnKind, type ReturnsOptions, returns } from './research/returns.js'
export { rollingTwap } from './research/rolling-twap.js'
export { rollingVwap } from './research/rolling-vwap.js'
export type { RollingWindow } from './research/rolling-window.js'
export type { TimePriceInput, TradeColumnsInput, TradeInput, TradeLike } from './research/trade-columns.js'
export { type TradeFlowImbalance, tradeFlowImbalance } from './research/trade-flow-imbalance.js'
