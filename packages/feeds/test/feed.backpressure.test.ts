import type { Trade } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import { openFeed } from '../src/feed.js'
import { type ExchangeSimulator, startSimulator } from '../src/testing/simulator.js'
import { FAST } from './feed-harness.js'
import { sleep, waitFor } from './helpers.js'

let sim: ExchangeSimulator | undefined
afterEach(async () => {
  await sim?.close()
})

describe('backpressure', () => {
  it('keeps the buffer bounded with a consumer 10× slower than the feed, pauses the socket, and loses nothing', async () => {
    sim = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'] })
    const bufferSize = 500
    const feed = openFeed({
      exchange: 'kraken',
      symbols: ['BTC-USD'],
      url: sim.url,
      restUrl: sim.restUrl,
      ...FAST,
      bufferSize,
      deadAfterMs: 5_000,
    })
    const s = sim
    await waitFor(() => s.subscribers() > 0, 'subscription')
    const total = 20_000
    let maxBuffered = 0
    let sawPause = false
    let framesWhenProduced = -1
    const producer = (async () => {
      // ~100,000 trades/s offered: 1,000 every 10 ms.
      for (let sent = 0; sent < total; sent += 1000) {
        s.publish(1000, { perFrame: 10 })
        await sleep(10)
      }
      framesWhenProduced = feed.stats().frames
    })()
    const got: Trade[] = []
    let n = 0
    for await (const ev of feed) {
      if (ev.type !== 'trade') continue
      got.push(ev)
      const st = feed.stats()
      maxBuffered = Math.max(maxBuffered, st.buffered)
      sawPause ||= st.paused
      // ~10,000 trades/s consumed: 1 ms pause every 10 trades.
      if (++n % 10 === 0) await sleep(1)
      if (got.length === total) break
    }
    await producer
    expect(sawPause).toBe(true)
    // Bounded: the buffer plus what the socket had already read when it was paused (at most ~64 KiB of frames).
    expect(maxBuffered).toBeLessThanOrEqual(bufferSize + 2_000)
    // When the producer was done, most frames were still unread: the backlog sat in the sockets (TCP), not in the feed's heap.
    expect(framesWhenProduced).toBeGreaterThan(0)
    expect(framesWhenProduced).toBeLessThan(total / 10 / 2)
    const want = s.trades('BTC-USD').map((t) => String(t.id))
    expect(got.map((t) => t.id)).toEqual(want)
    expect(feed.closed).toBe(true) // breaking out of for-await closes the feed
  }, 120_000)
})
