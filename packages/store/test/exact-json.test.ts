import { describe, expect, it } from 'vitest'
import { parseJsonExact, stringifyJsonExact } from '../src/iceberg/exact-json.js'

describe('metadata JSON with exact 64-bit integers', () => {
  it('round-trips 63-bit ids, long decimals and look-alikes inside strings, digit for digit', () => {
    const text =
      '{"current-snapshot-id":6962069681001976462,"small":1234567890123456,"neg":-9223372036854775808,"rate":0.12345678901234567891,"ms":1738348992893,"doc":"a, 12345678901234567890 in a string","list":[9007199254740993,1.5e300]}'
    const v = parseJsonExact(text) as Record<string, unknown>
    expect(v['current-snapshot-id']).toBe(6962069681001976462n)
    expect(v.small).toBe(1234567890123456) // exact as a number, so a number
    expect(v.neg).toBe(-9223372036854775808n)
    expect(v.ms).toBe(1738348992893)
    const [big, exp] = v.list as unknown[]
    expect(big).toBe(9007199254740993n)
    expect(String(exp)).toBe('1.5e300') // kept as written (a LosslessNumber), so it is written back the same
    expect(stringifyJsonExact(v)).toBe(text)
  })

  it('uses the native parser when no number would be rounded, with the same result', () => {
    const text = '{"snapshot-id":1234567890123456,"doc":"x","timestamp-ms":1738348992893,"a":[1,2.5]}'
    expect(parseJsonExact(text)).toEqual(JSON.parse(text))
    expect(stringifyJsonExact({ id: 5n, nested: [{ id: 2n ** 62n }] })).toBe(`{"id":5,"nested":[{"id":${2n ** 62n}}]}`)
  })

  it('throws on text that is not JSON', () => {
    expect(() => parseJsonExact('{"a":1')).toThrow()
    expect(() => parseJsonExact('{"a":12345678901234567890')).toThrow()
  })
})
