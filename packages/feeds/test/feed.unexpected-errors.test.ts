import { K2Error, type Logger, silentLogger } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { openFeed } from '../src/feed.js'
import type { FeedStats } from '../src/feed-stats.js'
import { waitFor } from './helpers.js'

type Step = 'attempt' | 'tick'

/**
 * Opens a feed whose every connection attempt fails at once, without I/O: its logger throws a TypeError
 * (an error p-retry does not retry) when the attempt reports "connecting". Records the attempts and the
 * ticks of a 1 ms timer in the order they happened, and closes the feed after `attempts` attempts: code
 * that retries without yielding then ends with a wrong record instead of hanging the test.
 */
async function failingFeed(o: { attempts: number; backoff: { minMs: number; maxMs: number }; listenerThrows?: boolean }) {
  const steps: Step[] = []
  const errors: K2Error[] = []
  const count = () => steps.filter((s) => s === 'attempt').length
  const logger: Logger = {
    ...silentLogger,
    debug(message) {
      if (!message.endsWith(' connecting')) return
      steps.push('attempt')
      throw new TypeError('a logger bug')
    },
  }
  const ticker = setInterval(() => steps.push('tick'), 1)
  const feed = openFeed({ exchange: 'binance', symbols: ['BTC-USDT'], url: 'ws://127.0.0.1:9', logger, backoff: o.backoff })
  feed.on('error', (e) => {
    errors.push(e)
    if (count() >= o.attempts) void feed.close()
    if (o.listenerThrows) throw new Error('an error listener bug')
  })
  try {
    await waitFor(() => feed.closed, `${o.attempts} connection attempts`)
  } finally {
    clearInterval(ticker)
    await feed.close()
  }
  const stats: FeedStats = feed.stats()
  return { steps, errors, stats, attempts: count() }
}

/** The number of timer ticks between each attempt and the next. */
function ticksBetweenAttempts(steps: Step[]): number[] {
  const gaps: number[] = []
  let ticks = -1 // no attempt yet
  for (const s of steps) {
    if (s === 'attempt') {
      if (ticks >= 0) gaps.push(ticks)
      ticks = 0
    } else if (ticks >= 0) ticks++
  }
  return gaps
}

describe('a connection attempt that fails with an error p-retry does not retry', () => {
  it('is reported and counted, and the next attempt waits for its backoff while timers keep firing', async () => {
    const r = await failingFeed({ attempts: 6, backoff: { minMs: 5, maxMs: 50 } })
    expect(r.attempts).toBe(6)
    const gaps = ticksBetweenAttempts(r.steps)
    expect(gaps).toHaveLength(5)
    // Each wait is a timer of at least 5 ms, so the 1 ms timer fires in every one; back to back gives zeros.
    for (const ticks of gaps) expect(ticks).toBeGreaterThanOrEqual(1)
    expect(r.errors.length).toBeGreaterThanOrEqual(6)
    for (const e of r.errors) {
      expect(K2Error.isInstance(e)).toBe(true)
      expect(e.code).toBe('INTERNAL')
      expect(e.message).toMatch(/TypeError: a logger bug.*retrying with backoff/)
      expect(e.cause).toBeInstanceOf(TypeError)
    }
    expect(r.stats.errors).toBe(r.errors.length)
  })

  it('still yields to the event loop with a zero backoff', async () => {
    const r = await failingFeed({ attempts: 30, backoff: { minMs: 0, maxMs: 0 } })
    expect(r.attempts).toBe(30)
    expect(r.steps.filter((s) => s === 'tick').length).toBeGreaterThanOrEqual(5)
    expect(r.stats.errors).toBe(r.errors.length)
  })

  it('an error listener that throws ends p-retry, and the feed still backs off and keeps trying', async () => {
    const r = await failingFeed({ attempts: 6, backoff: { minMs: 5, maxMs: 50 }, listenerThrows: true })
    expect(r.attempts).toBe(6)
    for (const ticks of ticksBetweenAttempts(r.steps)) expect(ticks).toBeGreaterThanOrEqual(1)
    // Each failed attempt is reported, then the loop reports why p-retry stopped, with the listener's error as cause.
    const stopped = r.errors.filter((e) => /the reconnect loop stopped/.test(e.message))
    expect(stopped.length).toBeGreaterThanOrEqual(5)
    for (const e of stopped) {
      expect(e.code).toBe('INTERNAL')
      expect((e.cause as Error).message).toBe('an error listener bug')
    }
    expect(r.errors.filter((e) => /a logger bug/.test(e.message)).length).toBe(r.attempts)
    expect(r.stats.errors).toBe(r.errors.length)
  })
})
