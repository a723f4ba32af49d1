import { join } from 'node:path'
import { importFiles } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { useTempLake } from './helpers.js'

// Imported history keeps its venue (binance-futures is not binance): a replay of it must say so.
const excerpt = join(import.meta.dirname, 'fixtures', 'tardis-binance-futures-trades-BTCUSDT-2020-02-22-excerpt.csv')
const range = { from: Date.UTC(2020, 0, 1) * 1000, to: Date.UTC(2021, 0, 1) * 1000, channels: ['trades' as const] }

describe('replaying imported venues', () => {
  const fx = useTempLake()

  it('events carry the venue id, and exchanges: [venue] selects them', async () => {
    await importFiles(fx.lake, [excerpt])
    const all = []
    for await (const e of fx.lake.replay(range)) all.push(e)
    expect(all.length).toBeGreaterThan(100)
    expect(new Set(all.map((e) => e.exchange))).toEqual(new Set(['binance-futures']))
    const picked = []
    for await (const e of fx.lake.replay({ ...range, exchanges: ['binance-futures'] })) picked.push(e)
    expect(picked).toEqual(all)
    const none = []
    for await (const e of fx.lake.replay({ ...range, exchanges: ['binance'] })) none.push(e)
    expect(none).toHaveLength(0)
    await expect(async () => {
      for await (const _ of fx.lake.replay({ ...range, exchanges: ['nasdaq'] })) break
    }).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('binance-futures') })
  })
})
