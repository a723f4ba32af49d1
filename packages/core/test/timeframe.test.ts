import { bucketStart, fromIso, K2Error, MICROS_PER_HOUR, MICROS_PER_MINUTE, parseTimeframe, STANDARD_TIMEFRAMES } from '@k2/core'
import { describe, expect, it } from 'vitest'

describe('timeframes', () => {
  it('parses the standard ones and any Nm/Nh/Nd', () => {
    expect(STANDARD_TIMEFRAMES.map((t) => parseTimeframe(t).micros)).toEqual([
      MICROS_PER_MINUTE,
      5 * MICROS_PER_MINUTE,
      30 * MICROS_PER_MINUTE,
      MICROS_PER_HOUR,
      24 * MICROS_PER_HOUR,
    ])
    expect(parseTimeframe('15m')).toMatchObject({ count: 15, unit: 'm', micros: 15 * MICROS_PER_MINUTE })
    expect(parseTimeframe('4h').micros).toBe(4 * MICROS_PER_HOUR)
    expect(parseTimeframe('7d').micros).toBe(7 * 24 * MICROS_PER_HOUR)
  })

  it.each(['0m', '1x', '-1m', '1.5m', '1M', 'm', '1', '', ' 1m', '01m', '1m ', '1000000m', '1S', '0s', 'Infinity'])('rejects %j', (bad) => {
    expect(() => parseTimeframe(bad)).toThrowError(K2Error)
    expect(() => parseTimeframe(bad)).toThrowError(/invalid timeframe/)
  })

  it('rejects non-strings', () => {
    expect(() => parseTimeframe(60)).toThrowError(/invalid timeframe 60/)
  })

  it('aligns bucket starts to the epoch in UTC', () => {
    const ts = fromIso('2023-09-25T07:49:37.708706Z')
    expect(bucketStart(ts, '1m')).toBe(fromIso('2023-09-25T07:49:00Z'))
    expect(bucketStart(ts, '5m')).toBe(fromIso('2023-09-25T07:45:00Z'))
    expect(bucketStart(ts, '30m')).toBe(fromIso('2023-09-25T07:30:00Z'))
    expect(bucketStart(ts, '1h')).toBe(fromIso('2023-09-25T07:00:00Z'))
    expect(bucketStart(ts, '1d')).toBe(fromIso('2023-09-25T00:00:00Z'))
    expect(bucketStart(ts, '7d')).toBe(fromIso('2023-09-21T00:00:00Z')) // epoch-aligned weeks start on Thursday
  })

  it('puts a bucket boundary in the new bucket and handles times before 1970', () => {
    const boundary = fromIso('2023-09-25T07:50:00Z')
    expect(bucketStart(boundary, '1m')).toBe(boundary)
    expect(bucketStart(boundary - 1, '1m')).toBe(boundary - MICROS_PER_MINUTE)
    expect(bucketStart(-1, '1m')).toBe(-MICROS_PER_MINUTE)
  })
})
