import { K2Error, MICROS_PER_MILLI, showValue } from '@k2/core'
import type { Table } from 'apache-arrow'
import type { VegaLiteSpec } from './candlestick-spec.js'
import { CHART_COLORS, CHART_SIZE, UTC_TIME_LABEL, VEGA_LITE_SCHEMA } from './chart-theme.js'

export interface LineChartOptions {
  /** The column of values to draw (`vwap`, `close`, `return`, …). */
  y: string
  /** The column of times, in epoch µs (default `start`, as in candles; `ts` for trades). */
  x?: string
  /** A column whose values name separate lines (e.g. `symbol`), each in its own color. */
  series?: string
  title?: string
  width?: number
  height?: number
}

/**
 * A Vega-Lite v6 spec of a line over time (UTC axis): a series such as returns or VWAP, from rows
 * (candles, gold rows, research results) or an Arrow table. Rows whose value is null or not finite
 * are left out. `renderSvg(spec)` draws it.
 *
 * ```ts
 * lineChartSpec(candles, { y: 'vwap' })
 * lineChartSpec(rows, { x: 'ts', y: 'return', series: 'symbol' })
 * ```
 */
export function lineChartSpec(rows: readonly object[] | Table, opts: LineChartOptions): VegaLiteSpec {
  const x = opts.x ?? 'start'
  const { y, series } = opts
  const records = Array.isArray(rows)
    ? (rows as readonly Record<string, unknown>[])
    : (rows as Table).toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON())
  const values = records.flatMap((row, i) => {
    const time = typeof row[x] === 'bigint' ? Number(row[x]) : row[x]
    if (typeof time !== 'number' || !Number.isSafeInteger(time))
      throw new K2Error('VALIDATION', `row ${i}: ${x} must be epoch microseconds, got ${showValue(row[x])}`)
    const value = typeof row[y] === 'bigint' ? Number(row[y]) : row[y]
    if (typeof value !== 'number' || !Number.isFinite(value)) return []
    return [{ time: time / MICROS_PER_MILLI, value, ...(series === undefined ? {} : { series: String(row[series]) }) }]
  })
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: opts.title ?? y, anchor: 'start' },
    width: opts.width ?? CHART_SIZE.width,
    height: opts.height ?? CHART_SIZE.lineHeight,
    data: { values },
    mark: { type: 'line', interpolate: 'linear', ...(series === undefined ? { color: CHART_COLORS.line } : {}) },
    encoding: {
      x: {
        field: 'time',
        type: 'temporal',
        scale: { type: 'utc' },
        title: `${x} (UTC)`,
        axis: { labelExpr: UTC_TIME_LABEL, labelFlush: true },
      },
      y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: y },
      ...(series === undefined ? {} : { color: { field: 'series', type: 'nominal', title: series } }),
      tooltip: [
        { field: 'time', type: 'temporal', title: `${x} (UTC)`, format: '%Y-%m-%d %H:%M:%S', formatType: 'utcFormat' },
        { field: 'value', type: 'quantitative', title: y, format: ',.10~g' },
        ...(series === undefined ? [] : [{ field: 'series', type: 'nominal', title: series }]),
      ],
    },
    config: { view: { stroke: null } },
  }
}
