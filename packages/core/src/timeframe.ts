import { z } from 'zod'
import { K2Error } from './errors.js'
import { showValue } from './show-value.js'
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, type Micros } from './time.js'

/** A candle width such as `1m`, `5m`, `30m`, `1h`, `1d`, or any whole `Nm`, `Nh`, `Nd`. */
export type Timeframe = `${number}${'m' | 'h' | 'd'}`

export const STANDARD_TIMEFRAMES = ['1m', '5m', '30m', '1h', '1d'] as const satisfies readonly Timeframe[]

const UNIT_MICROS = { m: MICROS_PER_MINUTE, h: MICROS_PER_HOUR, d: MICROS_PER_DAY } as const
const TIMEFRAME_RE = /^([1-9]\d{0,5})([mhd])$/

export interface ParsedTimeframe {
  timeframe: Timeframe
  count: number
  unit: 'm' | 'h' | 'd'
  /** Width of one bucket in µs. */
  micros: Micros
}

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && TIMEFRAME_RE.test(value)
}

export function parseTimeframe(value: unknown): ParsedTimeframe {
  const m = typeof value === 'string' ? TIMEFRAME_RE.exec(value) : null
  if (!m) {
    throw new K2Error(
      'VALIDATION',
      `invalid timeframe ${showValue(value)}: expected a positive whole number and a unit m, h or d, e.g. "1m", "5m", "1h", "1d"`,
      { details: { value } },
    )
  }
  const count = Number(m[1])
  const unit = m[2] as 'm' | 'h' | 'd'
  return { timeframe: value as Timeframe, count, unit, micros: count * UNIT_MICROS[unit] }
}

/** Start of the bucket holding `ts`: UTC, aligned to the Unix epoch, correct for negative times too. */
export function bucketStart(ts: Micros, timeframe: Timeframe | ParsedTimeframe): Micros {
  const width = typeof timeframe === 'string' ? parseTimeframe(timeframe).micros : timeframe.micros
  return ts - (((ts % width) + width) % width)
}

export const TimeframeSchema = z.string().refine(isTimeframe, {
  message: 'expected a timeframe such as "1m", "5m", "1h", "1d"',
}) as unknown as z.ZodType<Timeframe, string>
