import { finiteRows, pick, type RollingWindow, resolveWindow, scatter } from './rolling-window.js'
import { type TimePriceInput, timePriceColumns } from './trade-columns.js'
import { windowSums } from './window-sums.js'

/**
 * Rolling time-weighted average price at each trade. The last traded price is a step function of
 * time: each price stands from its trade until the next trade. TWAP is that function's average
 * over the window ending at the trade:
 *
 * - `{ time: W }`: TWAP(t) = (1/W) ∫ lastPrice(s) ds over [t − W, t]. The price standing at t − W
 *   (from the last trade at or before it) counts from t − W until the first trade inside the window.
 *   Until W of history exists, the average runs from the first trade instead.
 * - `{ count: n }`: TWAP = Σ price[j] · (ts[j+1] − ts[j]) / (ts[i] − ts[i−n+1]) over the last n
 *   trades j = i−n+1 … i−1 (the newest trade has stood for no time yet); NaN for the first n−1 trades.
 *
 * When the window spans no time (one trade, or all at the same µs) TWAP is the newest price.
 * Returns a `Float64Array`, one value per trade, in price units. Trades with a missing ts or price
 * are left out and get NaN; trades must be sorted by ts (VALIDATION otherwise).
 *
 * @example
 * rollingTwap(trades, { time: '1m' })
 */
export function rollingTwap(trades: TimePriceInput, window: RollingWindow): Float64Array {
  const all = timePriceColumns(trades, 'rollingTwap')
  const rows = finiteRows(all.ts, all.price)
  const ts = pick(all.ts, rows)
  const price = pick(all.price, rows)
  const { kind, width, starts } = resolveWindow(ts, window, 'rollingTwap')
  // segment[k]: price k times how long it stood, until trade k + 1.
  const segment = new Float64Array(ts.length)
  for (let k = 0; k + 1 < ts.length; k++) segment[k] = (price[k] as number) * ((ts[k + 1] as number) - (ts[k] as number))
  const area = windowSums(segment, starts, 0) // segments j … i − 1
  const out = new Float64Array(ts.length)
  for (let i = 0; i < ts.length; i++) {
    const j = starts[i] as number
    const t = ts[i] as number
    if (j < 0) {
      out[i] = Number.NaN
      continue
    }
    let integral = area[i] as number
    let span = t - (ts[j] as number)
    if (kind === 'time' && j > 0) {
      // The price of trade j − 1 still stood when the window opened, at t − width.
      integral += (price[j - 1] as number) * ((ts[j] as number) - (t - width))
      span = width
    }
    out[i] = span > 0 ? integral / span : (price[i] as number)
  }
  return scatter(out, rows, all.ts.length)
}
