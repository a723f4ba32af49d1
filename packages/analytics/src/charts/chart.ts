import { JUPYTER_DISPLAY } from '@k2/core'
import type { Table } from 'apache-arrow'
import { type CandlestickOptions, candlestickSpec, type VegaLiteSpec } from './candlestick-spec.js'
import type { CandleInput } from './chart-input.js'
import { type LineChartOptions, lineChartSpec } from './line-spec.js'
import { type ChartMimeBundle, chartBundle } from './notebook-bundle.js'
import { renderSvg } from './render-svg.js'

export interface ChartDisplayOptions {
  /**
   * Put an SVG rendering in the notebook beside the spec (default true), for frontends without
   * Vega (GitHub, nbconvert to HTML). It grows the notebook by about 0.8 KB per candle.
   */
  svg?: boolean
}

/**
 * A chart: a Vega-Lite spec that shows itself in a Deno/Jupyter notebook (JupyterLab draws the spec,
 * with tooltips), renders to SVG, and serializes as its spec.
 */
export class Chart {
  constructor(
    readonly spec: VegaLiteSpec,
    private readonly display: ChartDisplayOptions = {},
  ) {}

  /** The chart as an SVG document ({@link renderSvg}). */
  toSVG(): Promise<string> {
    return renderSvg(this.spec)
  }

  /** `JSON.stringify(chart)` writes the spec, for a `.vl.json` file or the Vega editor. */
  toJSON(): VegaLiteSpec {
    return this.spec
  }

  /** What Deno's Jupyter kernel shows when a cell ends in this chart. */
  async [JUPYTER_DISPLAY](): Promise<ChartMimeBundle> {
    return chartBundle(this.spec, this.display.svg === false ? undefined : await this.toSVG())
  }
}

/**
 * A candlestick chart of `candles` (candles, gold rows or an Arrow table of them; one series) for a
 * notebook: end a cell with it.
 *
 * ```ts
 * import { chart } from '@k2/analytics'
 * chart(candles) // last expression of a cell: price and volume, UTC axis, tooltips
 * ```
 */
export function chart(candles: CandleInput, opts: CandlestickOptions & ChartDisplayOptions = {}): Chart {
  return new Chart(candlestickSpec(candles, opts), opts)
}

/** A line chart ({@link lineChartSpec}) for a notebook: `lineChart(candles, { y: 'vwap' })`. */
export function lineChart(rows: readonly object[] | Table, opts: LineChartOptions & ChartDisplayOptions): Chart {
  return new Chart(lineChartSpec(rows, opts), opts)
}
