import type { Gap, K2Error, Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { TradeSequencer } from '../src/trade-sequencer.js'

const trade = (id: number, symbol: 'BTC-USD' | 'ETH-USD' = 'BTC-USD'): Trade => ({
  type: 'trade',
  exchange: 'kraken',
  symbol,
  id: String(id),
  price: 100,
  qty: 1,
  side: 'buy',
  ts: id * 1000,
  recvTs: 1,
})

function setup(heal?: (from: number, to: number) => Promise<Trade[]>, contiguous = true) {
  const out: string[] = []
  const gaps: Gap[] = []
  const errors: K2Error[] = []
  const released = { count: 0 }
  const seq = new TradeSequencer('kraken', contiguous, () => 42, {
    emit: (t) => out.push(`${t.symbol}:${t.id}`),
    gap: (g) => gaps.push(g),
    heal: heal && ((_s, from, to) => heal(from, to)),
    error: (e) => errors.push(e),
    released: () => released.count++,
  })
  return { seq, out, gaps, errors, released }
}

describe('TradeSequencer', () => {
  it('passes contiguous trades and drops repeats and older ids', () => {
    const { seq, out } = setup()
    for (const id of [5, 6, 6, 7, 5, 8]) seq.accept(trade(id))
    expect(out).toEqual(['BTC-USD:5', 'BTC-USD:6', 'BTC-USD:7', 'BTC-USD:8'])
    expect(seq.state('BTC-USD').duplicates).toBe(2)
  })

  it('starts a series at the oldest trade of a first subscribe snapshot; a later snapshot fills in and its repeats are dropped', () => {
    const { seq, out, gaps } = setup()
    for (const id of [1, 2, 3]) seq.accept(trade(id)) // the snapshot on the first subscription
    seq.accept(trade(4)) // live
    for (const id of [2, 3, 4, 5, 6]) seq.accept(trade(id)) // the snapshot after a reconnect
    expect(out).toEqual(['BTC-USD:1', 'BTC-USD:2', 'BTC-USD:3', 'BTC-USD:4', 'BTC-USD:5', 'BTC-USD:6'])
    expect(seq.state('BTC-USD')).toMatchObject({ firstId: 1, lastId: 6, duplicates: 3 })
    expect(gaps).toEqual([])
  })

  it('holds later trades while a gap heals, then emits everything in order', async () => {
    let release: (t: Trade[]) => void = () => {}
    const { seq, out, gaps, released } = setup((from, to) => {
      expect([from, to]).toEqual([2, 4])
      return new Promise((r) => (release = r))
    })
    seq.accept(trade(1))
    seq.accept(trade(5))
    seq.accept(trade(6))
    seq.accept(trade(6))
    seq.accept(trade(1, 'ETH-USD')) // other symbols are not held
    expect(out).toEqual(['BTC-USD:1', 'ETH-USD:1'])
    expect(seq.held).toBe(2)
    expect(gaps.map((g) => g.state)).toEqual(['open'])
    release([trade(2), trade(3), trade(4)])
    await new Promise((r) => setTimeout(r, 0))
    expect(seq.held).toBe(0)
    expect(released.count).toBe(1)
    expect(out).toEqual(['BTC-USD:1', 'ETH-USD:1', 'BTC-USD:2', 'BTC-USD:3', 'BTC-USD:4', 'BTC-USD:5', 'BTC-USD:6'])
    expect(gaps.map((g) => [g.state, g.fromId, g.toId, g.healedBy])).toEqual([
      ['open', '2', '4', undefined],
      ['healed', '2', '4', 'rest'],
    ])
  })

  it('reports an unhealed gap when history fails or is partial, and moves on', async () => {
    const failing = setup(() => Promise.reject(new Error('HTTP 500')))
    failing.seq.accept(trade(1))
    failing.seq.accept(trade(4))
    await new Promise((r) => setTimeout(r, 0))
    expect(failing.out).toEqual(['BTC-USD:1', 'BTC-USD:4'])
    expect(failing.gaps.at(-1)).toMatchObject({ state: 'unhealed', reason: expect.stringMatching(/HTTP 500/) })
    expect(failing.errors).toHaveLength(1)

    const partial = setup(async () => [trade(3)])
    partial.seq.accept(trade(1))
    partial.seq.accept(trade(4))
    partial.seq.accept(trade(5))
    await new Promise((r) => setTimeout(r, 0))
    expect(partial.out).toEqual(['BTC-USD:1', 'BTC-USD:3', 'BTC-USD:4', 'BTC-USD:5'])
    expect(partial.gaps.at(-1)).toMatchObject({ state: 'unhealed', reason: 'history returned 1 of 2 trades' })
  })

  it('opens a second gap found among held trades', async () => {
    const calls: number[][] = []
    const { seq, out } = setup(async (from, to) => {
      calls.push([from, to])
      return Array.from({ length: to - from + 1 }, (_, i) => trade(from + i))
    })
    seq.accept(trade(1))
    seq.accept(trade(3))
    seq.accept(trade(6))
    await new Promise((r) => setTimeout(r, 0))
    await new Promise((r) => setTimeout(r, 0))
    expect(calls).toEqual([
      [2, 2],
      [4, 5],
    ])
    expect(out.map((x) => Number(x.split(':')[1]))).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('reports gaps without healing where there is no history, and none where ids are not contiguous', () => {
    const noHistory = setup(undefined)
    noHistory.seq.accept(trade(1))
    noHistory.seq.accept(trade(3))
    expect(noHistory.gaps.map((g) => g.state)).toEqual(['open', 'unhealed'])
    expect(noHistory.out).toEqual(['BTC-USD:1', 'BTC-USD:3'])
    const global = setup(undefined, false)
    global.seq.accept(trade(1))
    global.seq.accept(trade(9))
    global.seq.accept(trade(4))
    expect(global.gaps).toEqual([])
    expect(global.out).toEqual(['BTC-USD:1', 'BTC-USD:9'])
  })
})
