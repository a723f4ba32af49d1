import { MICROS_PER_MILLI, toIso } from '@k2/core'
import { type CandleSeries, candleSeries } from './candle-series.js'
import type { CandleInput, ChartCandle } from './chart-input.js'
import { CHART_COLORS, CHART_SIZE, INCOMPLETE_DASH, INCOMPLETE_OPACITY, UTC_TIME_LABEL, VEGA_LITE_SCHEMA } from './chart-theme.js'

/** A Vega-Lite spec as plain JSON (what `JSON.stringify` writes and a Jupyter frontend reads). */
export type VegaLiteSpec = { $schema: string } & Record<string, unknown>

export interface CandlestickOptions {
  /** Default: `exchange symbol · timeframe`. */
  title?: string
  /**
   * The bucket width, for rows without a `timeframe` column (an ad-hoc query's buckets); by default
   * the column's, else the smallest step between starts.
   */
  timeframe?: string
  /** Width of the plot in px (default 720); each panel's height: `priceHeight` (280), `volumeHeight` (90). */
  width?: number
  priceHeight?: number
  volumeHeight?: number
  /** Show the volume panel (default true). */
  volume?: boolean
}

/** One candle in the spec's inline data: times in epoch ms (what Vega's time scales take). */
export interface CandleDatum {
  start: number
  open: number
  high: number
  low: number
  close: number
  volume: number
  trades: number | null
  vwap: number | null
  complete: boolean
}

// A chart of fewer buckets than this is padded to it, so one candle is not a slab as wide as the chart.
const MIN_BUCKETS = 12
const UP = 'datum.close >= datum.open'
const INCOMPLETE = '!datum.complete'
/** A candle in words, times in UTC: the SVG's aria-label of each body (what a screen reader says). */
const CANDLE_LABEL = [
  "utcFormat(datum.start, '%Y-%m-%d %H:%M:%S') + ' UTC'",
  "', open ' + datum.open + ', high ' + datum.high + ', low ' + datum.low + ', close ' + datum.close",
  "', volume ' + datum.volume",
  "(datum.complete ? '' : ', incomplete')",
].join(' + ')

/**
 * A Vega-Lite v6 spec of a candlestick chart: for each candle a rule from low to high (the wick) and a
 * bar from open to close (the body), green when close ≥ open and red otherwise, above a panel of volume
 * bars; both panels share a UTC time axis (exchange time, bucket starts). Candles with
 * `complete: false` (their bucket overlaps a coverage gap) are faded and outlined dashed, and say so
 * in their tooltip. Takes candles, gold rows or an Arrow table of gold rows, of one series.
 *
 * ```ts
 * const spec = candlestickSpec(candles) // { $schema, title, data: { values: [{ start: 1767614400000, open: … }] }, vconcat: [price, volume] }
 * await writeFile('btc.vl.json', JSON.stringify(spec)) // opens in the Vega editor; renderSvg(spec) draws it
 * ```
 */
export function candlestickSpec(candles: CandleInput, opts: CandlestickOptions = {}): VegaLiteSpec {
  const series = candleSeries(candles, opts.timeframe)
  const width = opts.width ?? CHART_SIZE.width
  const bucket = series.bucketMillis
  // Every x shares one scale; its domain is said once (said twice, vega-lite warns of a conflict).
  const domain = timeDomain(series)
  const x = (field: string, axis: Record<string, unknown> | null, withDomain = false) => ({
    field,
    type: 'temporal',
    scale: withDomain ? { type: 'utc', domain } : { type: 'utc' },
    axis,
    title: null,
  })
  const timeAxis = { title: 'time (UTC)', labelExpr: UTC_TIME_LABEL, labelFlush: true, labelOverlap: true }
  // The body spans the middle 80% of its bucket and the wick stands at its middle, so gaps show as gaps.
  const transform = [
    { calculate: `datum.start + ${bucket / 2}`, as: 'middle' },
    { calculate: `datum.start + ${bucket * 0.1}`, as: 'left' },
    { calculate: `datum.start + ${bucket * 0.9}`, as: 'right' },
    { calculate: CANDLE_LABEL, as: 'label' },
  ]
  const byDirection = { condition: { test: UP, value: CHART_COLORS.up }, value: CHART_COLORS.down }
  const faded = (full: number) => ({ condition: { test: INCOMPLETE, value: INCOMPLETE_OPACITY * full }, value: full })
  const dashed = { condition: { test: INCOMPLETE, value: INCOMPLETE_DASH }, value: [] }
  const tooltip = tooltips()
  const showVolume = opts.volume !== false
  const price = {
    name: 'price',
    width,
    height: opts.priceHeight ?? CHART_SIZE.priceHeight,
    encoding: { color: byDirection, opacity: faded(1), tooltip },
    layer: [
      {
        name: 'wick',
        mark: { type: 'rule', strokeWidth: 1, aria: false }, // the body's label speaks for the candle
        encoding: {
          x: x('middle', showVolume ? { labels: false, ticks: false, domain: false, title: null } : timeAxis, true),
          y: { field: 'low', type: 'quantitative', scale: { zero: false }, title: 'price' },
          y2: { field: 'high' },
          strokeDash: dashed,
        },
      },
      {
        name: 'body',
        // The outline in the body's color keeps a flat candle (open = close) visible as a line.
        mark: { type: 'bar', strokeWidth: 1 },
        encoding: {
          x: x('left', null),
          x2: { field: 'right' },
          y: { field: 'open', type: 'quantitative' },
          y2: { field: 'close' },
          stroke: byDirection,
          strokeDash: dashed,
          description: { field: 'label' },
        },
      },
    ],
  }
  const volume = {
    name: 'volume',
    width,
    height: opts.volumeHeight ?? CHART_SIZE.volumeHeight,
    mark: { type: 'bar', aria: false },
    encoding: {
      x: x('left', timeAxis),
      x2: { field: 'right' },
      y: { field: 'volume', type: 'quantitative', title: 'volume', axis: { tickCount: 3, format: '~s' } },
      y2: { datum: 0 }, // with x and x2 given, a bar has no baseline of its own
      color: byDirection,
      opacity: faded(0.6),
      tooltip,
    },
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: describe(series),
    title: { text: opts.title ?? titleOf(series), subtitle: subtitleOf(series), anchor: 'start' },
    data: { values: series.candles.map(datum) },
    transform,
    vconcat: showVolume ? [price, volume] : [price],
    spacing: 6,
    resolve: { scale: { x: 'shared' } },
    config: { view: { stroke: null }, axis: { grid: true, gridOpacity: 0.4 } },
  }
}

function datum(c: ChartCandle): CandleDatum {
  const { open, high, low, close, volume, trades, vwap, complete } = c
  return { start: c.start / MICROS_PER_MILLI, open, high, low, close, volume, trades, vwap, complete }
}

/** [first bucket start, last bucket end] in ms, padded to MIN_BUCKETS buckets. */
function timeDomain(series: CandleSeries): [number, number] {
  const first = series.candles[0]
  const last = series.candles.at(-1)
  if (first === undefined || last === undefined) return [0, 1]
  const from = first.start / MICROS_PER_MILLI
  const to = last.start / MICROS_PER_MILLI + series.bucketMillis
  // whole buckets on each side, so the ticks still fall on bucket boundaries
  const missing = Math.max(0, MIN_BUCKETS - Math.round((to - from) / series.bucketMillis))
  return [from - Math.floor(missing / 2) * series.bucketMillis, to + Math.ceil(missing / 2) * series.bucketMillis]
}

function tooltips() {
  const number = (field: string, title = field) => ({ field, type: 'quantitative', title, format: ',.10~g' })
  return [
    // utcFormat is Vega's expression function: the time in UTC, whatever the viewer's time zone.
    { field: 'start', type: 'temporal', title: 'start (UTC)', format: '%Y-%m-%d %H:%M:%S', formatType: 'utcFormat' },
    number('open'),
    number('high'),
    number('low'),
    number('close'),
    number('volume'),
    number('trades'),
    number('vwap'),
    { field: 'complete', type: 'nominal', title: 'complete' },
  ]
}

function titleOf(s: CandleSeries): string {
  if (s.candles.length === 0) return 'no candles'
  const name = [s.exchange, s.symbol].filter((part) => part !== undefined).join(' ')
  return name === '' ? `candles · ${s.timeframe}` : `${name} · ${s.timeframe}`
}

function subtitleOf(s: CandleSeries): string {
  const first = s.candles[0]
  const last = s.candles.at(-1)
  if (first === undefined || last === undefined) return ''
  const iso = (us: number) => toIso(us).slice(0, 19).replace('T', ' ')
  const incomplete = s.candles.filter((c) => !c.complete).length
  const n = s.candles.length
  const span = n === 1 ? `${iso(first.start)} UTC` : `${iso(first.start)} – ${iso(last.start)} UTC`
  return `${n} candle${n === 1 ? '' : 's'}, ${span}${incomplete > 0 ? ` · ${incomplete} incomplete (faded, dashed)` : ''}`
}

function describe(s: CandleSeries): string {
  return `Candlestick chart of ${titleOf(s)}${s.candles.length > 0 ? `: ${subtitleOf(s)}` : ''}`
}
