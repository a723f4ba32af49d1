import { type NumericInput, toFloat64 } from './columns.js'
import { invalid } from './validation.js'

/** A series keyed by time: `ts` (epoch µs, e.g. candle starts) and one value per timestamp. */
export interface KeyedSeries {
  ts: NumericInput
  values: NumericInput
}

/** Series aligned on the timestamps they all share. */
export interface AlignedSeries {
  /** The common timestamps, ascending (epoch µs). */
  ts: Float64Array
  /** Each series' values at those timestamps, by name. */
  values: Record<string, Float64Array>
}

export function isKeyedSeries(value: unknown): value is KeyedSeries {
  return typeof value === 'object' && value !== null && 'ts' in value && 'values' in value
}

/**
 * Inner join on time: keeps the timestamps present in **every** series, ascending, and each series'
 * value there (a NaN value is kept as NaN; only the timestamp decides the join). Inputs need not be
 * sorted. A timestamp that appears twice in one series is a VALIDATION error (which value would be
 * meant?), and so is a series whose ts and values differ in length. No series gives no rows.
 *
 * @example
 * alignByTime({ binance: { ts: [0, 60e6], values: [1, 2] }, kraken: { ts: [60e6], values: [3] } })
 * // { ts: [60e6], values: { binance: [2], kraken: [3] } }
 */
export function alignByTime(series: Record<string, KeyedSeries>): AlignedSeries {
  const names = Object.keys(series)
  const maps = names.map((name) => {
    const s = series[name] as KeyedSeries
    if (!isKeyedSeries(s)) throw invalid(`alignByTime: series ${name} must be { ts, values }`)
    const ts = toFloat64(s.ts, `${name}.ts`)
    const values = toFloat64(s.values, `${name}.values`)
    if (ts.length !== values.length) {
      throw invalid(`alignByTime: series ${name} has ${ts.length} timestamps but ${values.length} values; pass one value per timestamp`)
    }
    const byTs = new Map<number, number>()
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number
      if (byTs.has(t)) throw invalid(`alignByTime: series ${name} has timestamp ${t} twice; aggregate or deduplicate it first`, { ts: t })
      byTs.set(t, values[i] as number)
    }
    return byTs
  })
  const [first, ...rest] = maps
  const common = first ? [...first.keys()].filter((t) => rest.every((m) => m.has(t))).sort((a, b) => a - b) : []
  const values: Record<string, Float64Array> = {}
  names.forEach((name, k) => {
    const m = maps[k] as Map<number, number>
    values[name] = Float64Array.from(common, (t) => m.get(t) as number)
  })
  return { ts: Float64Array.from(common), values }
}
