import { describe, expect, it } from 'vitest'
import { backoffDelay, retryTimings, sleepUnlessAborted } from '../src/backoff.js'

describe('reconnect backoff', () => {
  it('doubles from minMs with jitter up to ×2, capped at maxMs', () => {
    const b = { minMs: 10, maxMs: 1000 }
    for (let failures = 0; failures < 12; failures++) {
      const base = 10 * 2 ** failures
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(failures, b)
        expect(d).toBeGreaterThanOrEqual(Math.min(1000, base))
        expect(d).toBeLessThanOrEqual(Math.min(1000, 2 * base))
      }
    }
  })

  it('never waits 0 ms, so a retry always goes through the event loop', () => {
    expect(backoffDelay(0, { minMs: 0, maxMs: 0 })).toBe(1)
    expect(retryTimings({ minMs: 0, maxMs: 0 })).toMatchObject({ minTimeout: 1, maxTimeout: 1 })
  })

  it('a wait ends when its signal aborts, so closing a feed does not sit out a long backoff', async () => {
    const abort = new AbortController()
    const wait = sleepUnlessAborted(600_000, abort.signal)
    setTimeout(() => abort.abort(), 5)
    await wait // the test's own timeout fails it otherwise
    await sleepUnlessAborted(600_000, abort.signal) // already aborted: returns at once
  })
})
