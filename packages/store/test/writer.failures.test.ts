import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error, MICROS_PER_DAY } from '@k2/core'
import { openLake } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { makeTrades, T0, useTempLake } from './helpers.js'

// A batch that fails never blocks the writer's other batches: one held up by the disk stays
// buffered for the next flush while the others commit; one that can never commit is handed back.

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as K2Error,
  )

describe('writer failures', () => {
  const fx = useTempLake()

  it('a batch whose partition cannot be written stays buffered, and later batches still commit', async () => {
    const t = await fx.lake.table('silver.trades')
    const w = t.writer({ flushMs: 0 })
    // A plain file where the day's partition directory must go: that day cannot be written.
    const blocked = join(t.dir, 'data', 'ts_day=2024-02-05')
    mkdirSync(join(t.dir, 'data'), { recursive: true })
    writeFileSync(blocked, 'in the way')
    const stuck = makeTrades(4, { startId: 1, start: T0 + 5 * MICROS_PER_DAY })
    await w.append(stuck)
    expect(codeOf(await rejection(w.flush()))).toBe('IO')
    expect(w.stats()).toMatchObject({ buffered: 4, committed: 0 })
    await w.append(makeTrades(3, { startId: 100 }))
    const err = await rejection(w.flush())
    expect(codeOf(err)).toBe('IO') // the stuck batch failed again…
    expect((await t.scan()).map((r) => r.id).sort()).toEqual(['100', '101', '102']) // …but did not hold back this one
    expect(w.stats()).toMatchObject({ buffered: 4, committed: 3 })
    await expect(w.close()).rejects.toMatchObject({ code: 'IO' }) // rows pending: close says so and may be retried
    rmSync(blocked)
    await w.close()
    expect((await t.scan()).map((r) => r.id).sort()).toEqual(['1', '100', '101', '102', '2', '3', '4'])
  })

  it('rows that can never be committed (the fx.lake was closed) are handed back, and close() then completes', async () => {
    const t = await fx.lake.table('silver.trades')
    const w = t.writer({ flushMs: 0 })
    const trades = makeTrades(5, { startId: 40 })
    await w.append(trades)
    await fx.lake.close()
    const err = await rejection(w.flush())
    expect(codeOf(err)).toBe('CLOSED')
    expect(err?.message).toMatch(/5 rows for silver.trades could not be committed and are handed back/)
    const back = err?.details?.rows as Record<string, unknown>[]
    expect(back).toEqual(trades.map(({ type: _, recvTs, ...r }) => ({ ...r, recv_ts: recvTs })))
    expect(w.stats()).toMatchObject({ buffered: 0, committed: 0 })
    await w.close() // nothing left to commit: the writer closes
    await expect(w.append(trades)).rejects.toMatchObject({ code: 'CLOSED' })
    fx.lake = await openLake(join(fx.dir, 'fx.lake'))
    expect(await (await fx.lake.table('silver.trades')).scan()).toEqual([])
  })

  it('a timed flush that hands rows back reports them through onError', async () => {
    const errors: K2Error[] = []
    let fire: (() => void) | undefined
    const scheduler = {
      setTimeout: (fn: () => void) => {
        fire = fn
        return 1
      },
      clearTimeout: () => {},
    }
    const t = await fx.lake.table('bronze.frames')
    const w = t.writer({ flushMs: 10, scheduler, onError: (e) => errors.push(e) })
    await w.append([{ exchange: 'kraken', channel: 'trade', connectionId: 1, recvTs: T0, data: '{"x":1}' }])
    await fx.lake.close()
    fire?.()
    await new Promise((r) => setTimeout(r, 50))
    expect(errors.map((e) => e.code)).toEqual(['CLOSED'])
    expect(errors[0]?.details?.rows).toEqual([{ exchange: 'kraken', channel: 'trade', connection_id: 1, recv_ts: T0, data: '{"x":1}' }])
    await w.close()
  })
})
