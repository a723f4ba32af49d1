import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { abortableSleep } from '../src/abortable-sleep.js'

describe('abortableSleep', () => {
  it('leaves no abort listener behind after the wait (a feed heals thousands of gaps on one signal)', async () => {
    const stop = new AbortController()
    for (let i = 0; i < 50; i++) await abortableSleep(1, stop.signal)
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0)
  })

  it('resolves early when the signal aborts', async () => {
    const stop = new AbortController()
    const started = performance.now()
    const waiting = abortableSleep(60_000, stop.signal)
    stop.abort()
    await waiting
    expect(performance.now() - started).toBeLessThan(30_000)
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0)
  })
})
