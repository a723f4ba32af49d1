import { K2Error } from '@k2/core'
import { expect } from 'vitest'

/** Runs fn and expects a VALIDATION K2Error whose message matches. */
export function expectValidation(fn: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  expect(K2Error.isInstance(thrown), `expected a K2Error, got ${String(thrown)}`).toBe(true)
  expect((thrown as K2Error).code).toBe('VALIDATION')
  expect((thrown as K2Error).message).toMatch(message)
}

/** Elementwise closeness where NaN equals NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 10): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number
    const a = actual[i] as number
    if (Number.isNaN(e)) expect(a, `row ${i}`).toBeNaN()
    else expect(a, `row ${i}`).toBeCloseTo(e, digits)
  }
}

export const SECOND = 1_000_000
export const MINUTE = 60 * SECOND
