import type { RawFrame, Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { openFeed } from '../src/feed.js'
import { startSimulator } from '../src/testing/simulator.js'
import { FAST } from './feed-harness.js'
import { fixture, waitFor } from './helpers.js'

// Real Bitstamp live_trades frames, replayed verbatim by the simulator to a live feed.
const frames = fixture('bitstamp-trade.jsonl')

describe('simulator replay of recorded frames', () => {
  it('delivers real frames verbatim: trades of the subscribed pair are emitted, other pairs dead-lettered, every frame on `frame`', async () => {
    const sim = await startSimulator({ exchange: 'bitstamp', symbols: ['ETH-USD'] })
    const feed = openFeed({ exchange: 'bitstamp', symbols: ['ETH-USD'], url: sim.url, restUrl: sim.restUrl, ...FAST })
    const trades: Trade[] = []
    const raw: RawFrame[] = []
    let dlq = 0
    feed.on('trade', (t) => trades.push(t))
    feed.on('frame', (f) => raw.push(f))
    feed.on('dlq', () => dlq++)
    await waitFor(() => feed.stats().symbols['ETH-USD']?.subscription === 'subscribed' && sim.subscribers() > 0, 'subscription')
    const before = raw.length
    sim.replay(frames)
    const ethusd = frames.filter((f) => /"channel": ?"live_trades_ethusd"/.test(f))
    // The answer to the feed's heartbeat may arrive at any moment (under load, during the replay).
    const replayed = () => raw.slice(before).filter((f) => !f.data.startsWith('{"event":"bts:heartbeat"'))
    await waitFor(() => replayed().length === frames.length, 'every replayed frame')
    await waitFor(() => trades.length + dlq === frames.length, 'every frame handled')
    expect(replayed().map((f) => f.data)).toEqual(frames) // verbatim, in order
    expect(raw.every((f) => f.exchange === 'bitstamp' && f.connectionId === 1)).toBe(true)
    expect(ethusd.length).toBeGreaterThan(0)
    expect(trades.map((t) => t.id)).toEqual(ethusd.map((f) => String((JSON.parse(f) as { data: { id: number } }).data.id)))
    expect(dlq).toBe(frames.length - ethusd.length)
    await feed.close()
    await sim.close()
  })
})
