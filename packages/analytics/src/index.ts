/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

export { displayCandles } from './charts/candle-table.js'
export { type CandleDatum, type CandlestickOptions, candlestickSpec, type VegaLiteSpec } from './charts/candlestick-spec.js'
export { Chart, type ChartDisplayOptions, chart, lineChart } from './charts/chart.js'
// Charts and notebook display (docs/charts.md)
export type { CandleInput, ChartCandle, GoldCandleRow } from './charts/chart-input.js'
export { CHART_COLORS } from './charts/chart-theme.js'
export { type LineChartOptions, lineChartSpec } from './charts/line-spec.js'
export { type ChartMimeBundle, VEGA_LITE_MIME } from './charts/notebook-bundle.js'
export { candlestickSvg, renderSvg } from './charts/render-svg.js'
