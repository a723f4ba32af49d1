/** Colors and sizes the charts share, so specs, SVGs and tests agree on them. */
export const CHART_COLORS = {
  /** close ≥ open (a flat candle counts as up) */
  up: '#26a69a',
  /** close < open */
  down: '#ef5350',
  line: '#4c78a8',
} as const

/** Opacity of an incomplete candle (its bucket overlaps a coverage gap), against 1 for a complete one. */
export const INCOMPLETE_OPACITY = 0.35

/** Dash of an incomplete candle's outline and wick. */
export const INCOMPLETE_DASH = [3, 2]

export const CHART_SIZE = { width: 720, priceHeight: 280, volumeHeight: 90, lineHeight: 240 } as const

/** The Vega-Lite version the specs are written for; they use nothing v5 lacks (see notebook-bundle.ts). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'

/** Tick labels in UTC, 24-hour: the time of day, or the date at midnight, or the year on 1 January. */
export const UTC_TIME_LABEL = [
  "utcseconds(datum.value) ? utcFormat(datum.value, '%H:%M:%S')",
  "utcminutes(datum.value) || utchours(datum.value) ? utcFormat(datum.value, '%H:%M')",
  "utcmonth(datum.value) || utcdate(datum.value) > 1 ? utcFormat(datum.value, '%b %d')",
  "utcFormat(datum.value, '%Y')",
].join(' : ')
