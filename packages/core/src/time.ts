import { K2Error } from './errors.js'

/**
 * K2 time is epoch **microseconds** as a JS `number`: integers are exact up to 2^53 µs, i.e. until
 * the year 2255. Every conversion here is exact; nothing goes through floating-point division.
 */
export type Micros = number

/** Anything K2 accepts where a point in time is expected: a Date, an ISO-8601 string, or epoch µs. */
export type TimeInput = Date | string | number

/** A source of the current time in µs; injectable so time-driven logic can be tested. */
export type Clock = () => Micros

export const MICROS_PER_MILLI = 1_000
export const MICROS_PER_SECOND = 1_000_000
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR

/** The wall clock in µs, with sub-millisecond resolution where the runtime offers it. */
export const systemClock: Clock = () => {
  const perf = globalThis.performance
  if (perf && typeof perf.timeOrigin === 'number') return Math.floor((perf.timeOrigin + perf.now()) * MICROS_PER_MILLI)
  return Date.now() * MICROS_PER_MILLI
}

export function isMicros(value: unknown): value is Micros {
  return typeof value === 'number' && Number.isSafeInteger(value)
}

function assertMicros(value: number, what: string): Micros {
  if (!Number.isSafeInteger(value)) {
    throw new K2Error('VALIDATION', `${what} must be an integer number of epoch microseconds within ±2^53, got ${value}`, {
      details: { value },
    })
  }
  return value
}

export function fromMillis(ms: number): Micros {
  if (!Number.isFinite(ms)) throw new K2Error('VALIDATION', `milliseconds must be a finite number, got ${ms}`)
  // ms may carry a fraction (performance.now()); round to the nearest µs rather than truncating 0.999…
  return assertMicros(Math.round(ms * MICROS_PER_MILLI), 'time')
}

export function fromDate(date: Date): Micros {
  const ms = date.getTime()
  if (Number.isNaN(ms))
    throw new K2Error('VALIDATION', 'invalid Date (getTime() is NaN): pass a valid Date, an ISO-8601 string or epoch µs')
  return ms * MICROS_PER_MILLI
}

// YYYY-MM-DD, optionally followed by T/space hh:mm[:ss[.fraction]] and a zone (Z or ±hh[:]mm).
// A date-time without a zone is rejected: silently using local time is how backtests go wrong.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?))?$/

/**
 * Parses ISO-8601 with up to nanosecond fractions, exactly: `2023-09-25T07:49:37.708706Z` is
 * 1695628177708706. Digits below the microsecond are truncated (floor), as exchanges do when they
 * quote µs. A date alone means midnight UTC.
 */
export function fromIso(text: string): Micros {
  const fast = fromIsoUtcFast(text)
  return fast === undefined ? fromIsoGeneral(text) : fast
}

/** Digit at position i, or NaN (which poisons the sum) when it is not a digit. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : Number.NaN
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * The hot path: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, the form exchanges send, parsed without a regex or
 * a Date. Returns undefined for anything else, which the general parser then handles or rejects.
 */
function fromIsoUtcFast(text: string): Micros | undefined {
  const n = text.length
  if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */) return undefined
  if (text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return undefined
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3)
  const month = digit(text, 5) * 10 + digit(text, 6)
  const day = digit(text, 8) * 10 + digit(text, 9)
  const hour = digit(text, 11) * 10 + digit(text, 12)
  const minute = digit(text, 14) * 10 + digit(text, 15)
  const second = digit(text, 17) * 10 + digit(text, 18)
  let micros = 0
  if (n > 20) {
    if (text[19] !== '.' || n === 21) return undefined
    let scale = 100_000
    for (let i = 20; i < n - 1; i++) {
      micros += digit(text, i) * scale
      scale /= 10
    }
    micros = Math.floor(micros)
  } else if (text[19] !== 'Z') return undefined
  if (Number.isNaN(year + month + day + hour + minute + second + micros)) return undefined
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] as number))) return undefined
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
  const us = seconds * MICROS_PER_SECOND + micros
  return Number.isSafeInteger(us) ? us : undefined
}

function fromIsoGeneral(text: string): Micros {
  const m = ISO_RE.exec(text)
  const bad = () =>
    new K2Error(
      'VALIDATION',
      `invalid ISO-8601 time "${text}": expected e.g. 2024-01-31T12:00:00.123456Z (a zone is required when a time is given)`,
      {
        details: { value: text },
      },
    )
  if (!m) throw bad()
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const hasTime = h !== undefined
  if (hasTime && zone === undefined) throw bad()
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw bad()
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 Feb into March: reject instead.
  const check = new Date(ms)
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw bad()
  const fraction = frac === undefined ? 0 : Number(frac.padEnd(9, '0').slice(0, 6))
  const offset = zone === undefined ? 0 : zoneOffsetMicros(zone)
  return assertMicros(ms * MICROS_PER_MILLI + fraction - offset, 'time')
}

function zoneOffsetMicros(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2, 4) || '0')
  return sign * (hours * MICROS_PER_HOUR + minutes * MICROS_PER_MINUTE)
}

/** Any accepted time input to epoch µs. Numbers are taken as µs and must be safe integers. */
export function toMicros(input: TimeInput): Micros {
  if (typeof input === 'number') return assertMicros(input, 'time')
  if (typeof input === 'string') return fromIso(input)
  if (input instanceof Date) return fromDate(input)
  throw new K2Error('VALIDATION', `expected a Date, an ISO-8601 string or epoch µs, got ${typeof input}`)
}

/** Epoch µs to ms, floored (a Date cannot hold the µs). */
export function toMillis(us: Micros): number {
  return Math.floor(assertMicros(us, 'time') / MICROS_PER_MILLI)
}

export function toDate(us: Micros): Date {
  return new Date(toMillis(us))
}

/** Epoch µs to ISO-8601 UTC with exactly six fraction digits: `2023-09-25T07:49:37.708706Z`. */
export function toIso(us: Micros): string {
  const ms = toMillis(us)
  const subMs = us - ms * MICROS_PER_MILLI // 0..999 even for negative times, since ms is floored
  const base = new Date(ms).toISOString() // …SS.mmmZ
  return `${base.slice(0, -1)}${String(subMs).padStart(3, '0')}Z`
}

const DURATION_UNITS: Record<string, number> = {
  us: 1,
  ms: MICROS_PER_MILLI,
  s: MICROS_PER_SECOND,
  m: MICROS_PER_MINUTE,
  h: MICROS_PER_HOUR,
  d: MICROS_PER_DAY,
  w: 7 * MICROS_PER_DAY,
}
const DURATION_RE = /^(\d+)(us|ms|s|m|h|d|w)$/

/** A duration such as `500ms`, `30s`, `7d`, `2w` (or a number of µs) to µs. */
export function parseDuration(input: string | number): Micros {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0)
      throw new K2Error('VALIDATION', `duration must be a non-negative integer of µs, got ${input}`)
    return input
  }
  const m = DURATION_RE.exec(input)
  const unit = m ? DURATION_UNITS[m[2] as string] : undefined
  if (!m || unit === undefined) {
    throw new K2Error('VALIDATION', `invalid duration "${input}": expected a whole number and a unit (us, ms, s, m, h, d, w), e.g. "7d"`, {
      details: { value: input },
    })
  }
  return assertMicros(Number(m[1]) * unit, 'duration')
}
