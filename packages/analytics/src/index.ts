/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

// Candles over the lake: exact SQL OHLCV and the incremental roll-up into gold.ohlcv (docs/rollup.md).
export { type LakeOhlcvOptions, lakeGoldRows, lakeOhlcv } from './lake/lake-ohlcv.js'
export { DEFAULT_GOLD_RETENTION, type RollupOptions, type RollupResult, rollup } from './lake/rollup.js'

// Charts and notebook display (docs/charts.md)
export * from './charts/index.js'
