import {
  fromDate,
  fromIso,
  fromMillis,
  K2Error,
  MICROS_PER_DAY,
  parseDuration,
  systemClock,
  toDate,
  toIso,
  toMicros,
  toMillis,
} from '@k2/core'
import { describe, expect, it } from 'vitest'

describe('fromIso', () => {
  it('is exact to the microsecond', () => {
    expect(fromIso('2023-09-25T07:49:37.708706Z')).toBe(1695628177708706)
    expect(fromIso('1970-01-01T00:00:00.000001Z')).toBe(1)
    expect(fromIso('1970-01-01T00:00:00Z')).toBe(0)
  })

  it('truncates nanoseconds to microseconds', () => {
    expect(fromIso('2023-09-25T07:49:37.708706999Z')).toBe(1695628177708706)
    expect(fromIso('2023-09-25T07:49:37.7Z')).toBe(1695628177700000)
    expect(fromIso('2023-09-25T07:49:37.123456789Z')).toBe(1695628177123456)
  })

  it('applies zone offsets', () => {
    expect(fromIso('2023-09-25T09:49:37.708706+02:00')).toBe(1695628177708706)
    expect(fromIso('2023-09-25T02:19:37.708706-0530')).toBe(1695628177708706)
    expect(fromIso('2023-09-25T07:49:37.708706+00')).toBe(1695628177708706)
  })

  it('takes a bare date as midnight UTC and handles times before 1970', () => {
    expect(fromIso('2024-02-29')).toBe(Date.UTC(2024, 1, 29) * 1000)
    expect(fromIso('1969-12-31T23:59:59.999999Z')).toBe(-1)
  })

  it.each([
    '2023-09-25T07:49:37', // no zone: local time is never assumed
    '2023-02-30T00:00:00Z',
    '2023-13-01',
    '2023-01-01T24:00:00Z',
    '2023-01-01T00:60:00Z',
    '2023-01-01T00:00:00.1234567890Z',
    '1695628177708706',
    '',
    'yesterday',
    '2023-09-25T07:49:37.708706Z; DROP TABLE x',
  ])('rejects %j with K2Error VALIDATION', (text) => {
    expect(() => fromIso(text)).toThrowError(K2Error)
    try {
      fromIso(text)
    } catch (e) {
      expect((e as K2Error).code).toBe('VALIDATION')
      expect((e as K2Error).message).toContain('ISO-8601')
    }
  })
})

describe('toIso', () => {
  it('always prints six fraction digits', () => {
    expect(toIso(1695628177708706)).toBe('2023-09-25T07:49:37.708706Z')
    expect(toIso(0)).toBe('1970-01-01T00:00:00.000000Z')
    expect(toIso(1)).toBe('1970-01-01T00:00:00.000001Z')
  })

  it('round-trips with fromIso, before and after the epoch', () => {
    for (const us of [-1, -999, -1_000_001, 1695628177708706, 8_000_000_000_000_123, 4102444800000000 - 1]) {
      const t = Math.trunc(us)
      expect(fromIso(toIso(t))).toBe(t)
    }
  })
})

describe('conversions', () => {
  it('Date and ms are exact', () => {
    const d = new Date('2021-04-05T10:11:12.345Z')
    expect(fromDate(d)).toBe(1617617472345000)
    expect(fromMillis(1617617472345)).toBe(1617617472345000)
    expect(fromMillis(1617617472345.5)).toBe(1617617472345500)
    expect(toMillis(1617617472345999)).toBe(1617617472345)
    expect(toMillis(-1)).toBe(-1)
    expect(toDate(1617617472345999).toISOString()).toBe('2021-04-05T10:11:12.345Z')
  })

  it('toMicros accepts Date, ISO and µs, and rejects the rest', () => {
    expect(toMicros('2023-09-25T07:49:37.708706Z')).toBe(1695628177708706)
    expect(toMicros(new Date(0))).toBe(0)
    expect(toMicros(42)).toBe(42)
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, new Date('nope')]) {
      expect(() => toMicros(bad as number)).toThrowError(K2Error)
    }
    expect(() => toMicros({} as unknown as number)).toThrowError(/expected a Date/)
  })

  it('systemClock is within a second of Date.now()', () => {
    expect(Math.abs(systemClock() - Date.now() * 1000)).toBeLessThan(1_000_000)
  })
})

describe('parseDuration', () => {
  it('parses units', () => {
    expect(parseDuration('7d')).toBe(7 * MICROS_PER_DAY)
    expect(parseDuration('500ms')).toBe(500_000)
    expect(parseDuration('2w')).toBe(14 * MICROS_PER_DAY)
    expect(parseDuration(5)).toBe(5)
  })
  it.each(['', '7', 'd', '-1d', '1.5h', '1y', '7 d', '1e3s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrowError(/invalid duration/)
  })
})

describe('fromIso against an independent BigInt computation', () => {
  it('agrees on 5,000 random timestamps with 0–9 fraction digits', () => {
    let seed = 12345
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let i = 0; i < 5000; i++) {
      const ms = (rand(2 ** 31) * 2000 + rand(2000)) % 7_000_000_000_000 // 1970..2191
      const digits = rand(10)
      const frac = Array.from({ length: digits }, () => String(rand(10))).join('')
      const iso = `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}${digits ? `.${frac}` : ''}Z`
      const expected =
        BigInt(Math.floor(ms / 1000)) * 1_000_000n + BigInt((frac.padEnd(9, '0').slice(0, 6) || '0').replace(/^0+(?=\d)/, ''))
      expect(fromIso(iso), iso).toBe(Number(expected))
    }
  })
})
