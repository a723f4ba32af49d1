import { K2Error } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { EventQueue } from '../src/event-queue.js'

describe('EventQueue', () => {
  it('signals full at capacity and drained at half, keeping order', async () => {
    const signals: string[] = []
    const q = new EventQueue<number>(
      4,
      () => signals.push('full'),
      () => signals.push('drained'),
      async () => {},
    )
    for (let i = 0; i < 6; i++) q.push(i)
    expect(signals).toEqual(['full'])
    expect(q.length).toBe(6) // nothing is dropped
    const got: number[] = []
    for (let i = 0; i < 4; i++) got.push((await q.next()).value as number)
    expect(signals).toEqual(['full', 'drained'])
    expect(got).toEqual([0, 1, 2, 3])
  })

  it('hands an item straight to a waiting consumer and finishes after end()', async () => {
    const q = new EventQueue<string>(
      2,
      () => {},
      () => {},
      async () => {},
    )
    const waiting = q.next()
    q.push('a')
    expect(await waiting).toEqual({ value: 'a', done: false })
    q.push('b')
    q.end()
    expect(await q.next()).toEqual({ value: 'b', done: false })
    expect((await q.next()).done).toBe(true)
  })

  it('runs onReturn when the consumer stops early, and rejects a capacity below 2', async () => {
    let returned = false
    const q = new EventQueue<number>(
      8,
      () => {},
      () => {},
      async () => {
        returned = true
      },
    )
    await q.return()
    expect(returned).toBe(true)
    expect(
      () =>
        new EventQueue(
          1,
          () => {},
          () => {},
          async () => {},
        ),
    ).toThrow(K2Error)
  })
})
