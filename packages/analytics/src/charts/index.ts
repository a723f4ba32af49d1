/** Charts and notebook display of candles: the public API of `charts/` (docs/charts.md). */
export { displayCandles } from './candle-table.js'
export { type CandleDatum, type CandlestickOptions, candlestickSpec, type VegaLiteSpec } from './candlestick-spec.js'
export { Chart, type ChartDisplayOptions, chart, lineChart } from './chart.js'
export type { CandleInput, ChartCandle, GoldCandleRow } from './chart-input.js'
export { CHART_COLORS } from './chart-theme.js'
export { type LineChartOptions, lineChartSpec } from './line-spec.js'
export { type ChartMimeBundle, VEGA_LITE_MIME } from './notebook-bundle.js'
export { candlestickSvg, renderSvg } from './render-svg.js'
