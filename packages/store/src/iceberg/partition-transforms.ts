import { createHash } from 'node:crypto'
import { MICROS_PER_DAY, MICROS_PER_MILLI, type Scalar } from '@k2/core'
import type { PartitionTransform } from './table-spec.js'

/** Iceberg's partition transforms as K2 uses them, and how a partition value is spelled in a path. */

/** Months since 1970-01 of an epoch-µs time. */
export function monthOf(us: number): number {
  const d = new Date(Math.floor(us / MICROS_PER_MILLI))
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()
}

/**
 * A partition transform of one source value: day and month of epoch µs, or the value itself. All
 * three are monotone, so values whose transforms agree at both ends of a range share a partition.
 */
export function partitionValue(transform: PartitionTransform, value: Scalar): Scalar {
  if (transform === 'day') return Math.floor(Number(value) / MICROS_PER_DAY)
  if (transform === 'month') return monthOf(Number(value))
  return value
}

/** Human-readable partition path segment, as Java writes it (`ts_day=2024-01-31`). */
export function partitionPathValue(transform: PartitionTransform, value: Scalar | null): string {
  if (value === null) return 'null'
  if (transform === 'day') return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10)
  if (transform === 'month') {
    const n = Number(value)
    const y = 1970 + Math.floor(n / 12)
    return `${y}-${String((((n % 12) + 12) % 12) + 1).padStart(2, '0')}`
  }
  return pathSegment(String(value))
}

const SAFE = /^[A-Za-z0-9_.-]*$/
const MAX_SEGMENT = 64

/**
 * An identity value as a path segment: letters, digits, `_`, `.` and `-` as they are, any other
 * character as `%XX` of its UTF-8 bytes (Hive's escaping: no glob character, separator or NUL
 * survives), and a value whose escaped form is longer than 64 characters as a readable prefix and
 * a hash. Readers find files through the manifests, so the segment only has to be safe and short.
 */
export function pathSegment(value: string): string {
  let out = ''
  if (SAFE.test(value)) out = value
  else for (const b of Buffer.from(value, 'utf8')) out += SAFE_BYTE[b] ?? `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  if (out.length <= MAX_SEGMENT) return out
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 16)
  return `${out.slice(0, 40).replace(/%[0-9A-F]?$/, '')}~${hash}`
}

const SAFE_BYTE: (string | undefined)[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b)
  return b < 128 && SAFE.test(c) ? c : undefined
})
