import { showValue } from '@k2/core'
import { describe, expect, it } from 'vitest'

describe('showValue', () => {
  it('shows numbers JSON cannot print as themselves, not as null', () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5].map(showValue)).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '1.5',
    ])
  })

  it('shows strings and data as JSON, bigints with n, and cuts long text', () => {
    expect(showValue('a"b')).toBe('"a\\"b"')
    expect(showValue({ a: [1, null] })).toBe('{"a":[1,null]}')
    expect(showValue(5n)).toBe('5n')
    expect(showValue(undefined)).toBe('undefined')
    const long = showValue('x'.repeat(1_000_000))
    expect(long.length).toBeLessThanOrEqual(65)
    expect(long.startsWith('"xxxx')).toBe(true)
  })

  it('never throws, even on cycles and values nested too deep to print', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    let deep: unknown[] = []
    for (let i = 0; i < 20_000; i++) deep = [deep]
    expect(showValue(cycle)).toBe('[object Object]')
    expect(showValue(deep)).toBe('[object Array]')
  })
})
