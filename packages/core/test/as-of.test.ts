import { K2Error, toAsOf, toSnapshotId } from '@k2/core'
import { describe, expect, it } from 'vitest'

const ID = 6962069681001976462n // a pyiceberg snapshot id, above 2^53

describe('toAsOf: time travel by snapshot or by time, never guessed from a number', () => {
  it('takes { snapshot } as a bigint or a decimal string, and a bigint alone', () => {
    expect(toAsOf({ snapshot: ID })).toEqual({ snapshot: ID })
    expect(toAsOf({ snapshot: String(ID) })).toEqual({ snapshot: ID })
    expect(toAsOf(ID)).toEqual({ snapshot: ID })
    expect(toAsOf({ snapshotId: ID })).toEqual({ snapshot: ID }) // the earlier key
  })

  it('takes { at } as a Date, an ISO string or epoch µs, and a Date or ISO string alone', () => {
    const us = Date.UTC(2024, 2, 2) * 1000
    expect(toAsOf({ at: us })).toEqual({ at: us })
    expect(toAsOf({ at: '2024-03-02T00:00:00Z' })).toEqual({ at: us })
    expect(toAsOf(new Date(us / 1000))).toEqual({ at: us })
    expect(toAsOf('2024-03-02')).toEqual({ at: us })
    expect(toAsOf({ timestamp: us })).toEqual({ at: us }) // the earlier key
  })

  it('refuses a plain number, a digit string, both keys, or a non-64-bit id, saying what to pass', () => {
    const refused = (input: unknown) => {
      try {
        toAsOf(input)
      } catch (err) {
        expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
        return (err as Error).message
      }
      throw new Error(`accepted ${String(input)}`)
    }
    expect(refused(Number(ID))).toMatch(/ambiguous.*BigInt\('<id>'\).*\{ at: /)
    expect(refused(String(ID))).toMatch(/looks like a snapshot id.*\{ snapshot: "6962069681001976462" \}/)
    expect(refused({ snapshot: ID, at: 1 })).toMatch(/not both/)
    expect(refused({ snapshot: 2n ** 63n })).toMatch(/64-bit/)
    expect(refused({ snapshot: 12.5 })).toMatch(/64-bit/)
    expect(refused({})).toMatch(/\{ snapshot: id \}/)
    expect(refused(null)).toMatch(/\{ at: time \}/)
    expect(toSnapshotId('-1')).toBe(-1n)
  })
})
