import { MICROS_PER_MILLI, type Scalar } from '@k2/core'
import type { PartitionTransform } from './table-spec.js'

/** Iceberg's partition transforms as K2 uses them, and how a partition value is spelled in a path. */

/** Months since 1970-01 of an epoch-µs time. */
export function monthOf(us: number): number {
  const d = new Date(Math.floor(us / MICROS_PER_MILLI))
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()
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
  return encodeURIComponent(String(value))
}
