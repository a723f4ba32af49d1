import { z } from 'zod'
import { K2Error } from './errors.js'
import { showValue } from './show-value.js'
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, type Micros } from './time.js'

/** A candle width such as `1m`, `5m`, `30m`, `1h`, `1d`, or any whole `Ns`, `Nm`, `Nh`, `Nd`. */
export type Timeframe = `${number}${'s' | 'm' | 'h' | 'd'}`

export const STANDARD_TIMEFRAMES = ['1m', '5m', '30m', '1h', '1d'] as const satisfies readonly Timeframe[]

const UNIT_MICROS = { s: MICROS_PER_SECOND, m: MICROS_PER_MINUTE, h: MICROS_PER_HOUR, d: MICROS_PER_DAY } as const
const TIMEFRAME_RE = /^([1-9]\d{0,5})([smhd])$/

export interface ParsedTimeframe {
  timeframe: Timeframe
  count: number
  unit: 's' | 'm' | 'h' | 'd'
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
      `invalid timeframe ${showValue(value)}: expected a positive whole number and a unit s, m, h or d, e.g. "1m", "5m", "1h", "1d"`,
      { details: { value } },
    )
  }
  const count = Number(m[1])
  const unit = m[2] as ParsedTimeframe['unit']
  return { timeframe: value as Timeframe, count, unit, micros: count * UNIT_MICROS[unit] }
}

/**
 * Start of the bucket holding `ts`: UTC, aligned to the Unix epoch shifted by `offset` µs (e.g. an
 * offset of 8 h makes `1d` buckets start at 08:00 UTC), correct for negative times too.
 */
export function bucketStart(ts: Micros, timeframe: Timeframe | ParsedTimeframe, offset: Micros = 0): Micros {
  const width = typeof timeframe === 'string' ? parseTimeframe(timeframe).micros : timeframe.micros
  const shifted = ts - offset
  return ts - (((shifted % width) + width) % width)
}

export const TimeframeSchema = z.string().refine(isTimeframe, {
  message: 'expected a timeframe such as "1m", "5m", "1h", "1d"',
}) as unknown as z.ZodType<Timeframe, string>
