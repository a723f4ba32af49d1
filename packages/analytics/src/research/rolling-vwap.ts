import { finiteRows, pick, type RollingWindow, resolveWindow, scatter } from './rolling-window.js'
import { type TradeInput, tradeColumns } from './trade-columns.js'
import { windowSums } from './window-sums.js'

/**
 * Rolling volume-weighted average price at each trade: VWAP = Σ price·qty / Σ qty over the trades
 * in the window ending at that trade (see `RollingWindow` for its edges: time windows are
 * (t − width, t], count windows the last `count` trades). Units: price units.
 *
 * Returns a `Float64Array` with one value per input trade. Trades with a missing (NaN/null) ts,
 * price or qty are left out of every window and get NaN themselves; a window whose volume is 0
 * gives NaN. Trades must be sorted by ts (VALIDATION otherwise). Empty input gives an empty array.
 *
 * @example
 * rollingVwap(trades, { time: '5m' })   // 5-minute trailing VWAP at every trade
 * rollingVwap(trades, { count: 100 })   // VWAP of the last 100 trades (NaN for the first 99)
 */
export function rollingVwap(trades: TradeInput, window: RollingWindow): Float64Array {
  const all = tradeColumns(trades, 'rollingVwap')
  const rows = finiteRows(all.ts, all.price, all.qty)
  const ts = pick(all.ts, rows)
  const price = pick(all.price, rows)
  const qty = pick(all.qty, rows)
  const { starts } = resolveWindow(ts, window, 'rollingVwap')
  const notional = new Float64Array(qty.length)
  for (let i = 0; i < qty.length; i++) notional[i] = (price[i] as number) * (qty[i] as number)
  const volume = windowSums(qty, starts, 1)
  const quote = windowSums(notional, starts, 1)
  const out = new Float64Array(ts.length)
  for (let i = 0; i < out.length; i++) out[i] = (volume[i] as number) > 0 ? (quote[i] as number) / (volume[i] as number) : Number.NaN
  return scatter(out, rows, all.ts.length)
}
