import { K2Error } from './errors.js'
import { showValue } from './show-value.js'
import { type Micros, type TimeInput, toMicros } from './time.js'

/**
 * Time travel: which snapshot of a table to read. Snapshot ids are 64-bit Iceberg longs, so they are
 * `bigint`s (or decimal strings, as lineage and JSON carry them); a time is a Date, an ISO-8601
 * string or epoch µs. A plain number is refused: it could be either, and an id above 2^53 has
 * already been rounded by the time it is a number.
 */

/** A snapshot picked by id, or the one current at a time (epoch µs). */
export type AsOf = { readonly snapshot: bigint; readonly at?: undefined } | { readonly at: Micros; readonly snapshot?: undefined }

/**
 * What time travel accepts: `{ snapshot: id }` (bigint or decimal string), `{ at: time }`, a bigint
 * id, a Date or an ISO-8601 string. `{ snapshotId }` and `{ timestamp }` (the earlier names) still work.
 */
export type AsOfInput =
  | bigint
  | Date
  | string
  | { readonly snapshot: bigint | string }
  | { readonly at: TimeInput }
  | { readonly snapshotId: bigint }
  | { readonly timestamp: TimeInput }

const ID_RE = /^-?\d{1,19}$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

const HOW = 'pass { snapshot: id } (a bigint such as 123n, or a decimal string) or { at: time } (a Date, an ISO-8601 string or epoch µs)'

/** A snapshot id from a bigint or a decimal string, checked to be a 64-bit integer. */
export function toSnapshotId(value: unknown): bigint {
  let id: bigint | undefined
  if (typeof value === 'bigint') id = value
  else if (typeof value === 'string' && ID_RE.test(value)) id = BigInt(value)
  if (id === undefined || id < INT64_MIN || id > INT64_MAX) {
    const hint =
      typeof value === 'number' ? `: a number cannot hold every 64-bit id exactly; pass BigInt('…') of the id as text, or ${value}n` : ''
    throw new K2Error(
      'VALIDATION',
      `snapshot id must be a 64-bit integer as a bigint or a decimal string, got ${showValue(value)}${hint}`,
      {
        details: { value: String(value) },
      },
    )
  }
  return id
}

/** Checks and normalises what time travel was given; never guesses what a plain number means. */
export function toAsOf(input: unknown): AsOf {
  if (typeof input === 'bigint') return Object.freeze({ snapshot: toSnapshotId(input) })
  if (input instanceof Date) return Object.freeze({ at: toMicros(input) })
  if (typeof input === 'number') {
    throw new K2Error(
      'VALIDATION',
      `asOf(${showValue(input)}) is ambiguous: a plain number may be a snapshot id (already rounded if above 2^53) or a time; for a snapshot pass BigInt('<id>') or { snapshot: '<id>' }, for a time { at: ${showValue(input)} } (epoch µs)`,
      { details: { value: input } },
    )
  }
  if (typeof input === 'string') {
    if (ID_RE.test(input.trim())) {
      throw new K2Error(
        'VALIDATION',
        `asOf(${showValue(input)}) looks like a snapshot id, not a time: pass { snapshot: ${showValue(input)} } or BigInt(${showValue(input)})`,
        { details: { value: input } },
      )
    }
    return Object.freeze({ at: toMicros(input) })
  }
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>
    const id = o.snapshot ?? o.snapshotId
    const at = o.at ?? o.timestamp
    if (id !== undefined && at !== undefined) throw new K2Error('VALIDATION', `asOf takes a snapshot or a time, not both: ${HOW}`)
    if (id !== undefined) return Object.freeze({ snapshot: toSnapshotId(id) })
    if (at !== undefined) return Object.freeze({ at: toMicros(at as TimeInput) })
  }
  throw new K2Error('VALIDATION', `asOf got ${showValue(input)}: ${HOW}`)
}
