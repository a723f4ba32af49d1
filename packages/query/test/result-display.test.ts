import { JUPYTER_DISPLAY, type MimeBundle } from '@k2/core'
import { createQueryLayer, lineageOf, memoryCatalog, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, DAY0, type FixtureLake } from './support/fixture-lake.js'

// What a notebook shows for a result: Deno's Jupyter kernel calls [Symbol.for('Jupyter.display')]().
const shown = (x: unknown) => (x as { [JUPYTER_DISPLAY]: () => MimeBundle })[JUPYTER_DISPLAY]()

let lake: FixtureLake
let layer: QueryLayer
beforeAll(async () => {
  lake = await createFixtureLake()
  layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine() })
})
afterAll(async () => {
  await layer?.close()
  await lake?.close()
})

const minute = () =>
  layer
    .query('silver.trades')
    .where({ exchange: 'binance', symbol: 'BTC-USDT' })
    .between('ts', DAY0, DAY0 + 59_999_999)
    .select('ts', 'price', 'side')
    .orderBy('ts')

describe('results in a notebook', () => {
  it('rows show as an HTML table, times as ISO-8601, with the snapshot read', async () => {
    const rows = await minute().rows()
    const { 'text/html': html, 'text/plain': text } = shown(rows)
    expect(html).toContain('<th>ts</th><th>price</th><th>side</th>')
    expect(html).toContain('<td>2024-03-01T00:00:00.000000Z</td>')
    expect(html).toContain(`silver.trades @ snapshot ${lake.snapshots[2]}`)
    expect(text.split('\n')[1]).toMatch(/^ts\s+price\s+side$/)
    expect(Object.keys(rows)).toEqual(['0', '1']) // the display method is not a key: rows stay plain data
    expect(JSON.stringify(rows)).not.toContain('display')
  })

  it('time buckets are times too: ISO in the table, k2.unit = epoch_us in Arrow', async () => {
    const q = layer
      .query('silver.trades')
      .where({ exchange: 'binance', symbol: 'BTC-USDT' })
      .between('ts', DAY0, DAY0 + 59_999_999)
      .bucket('1m', { as: 'start' })
      .aggregate((f) => ({ n: f.count() }))
    expect(await q.rows()).toEqual([{ start: DAY0, n: 2 }])
    expect(shown(await q.rows())['text/html']).toContain('<td>2024-03-01T00:00:00.000000Z</td>')
    expect((await q.arrow()).schema.fields.find((f) => f.name === 'start')?.metadata.get('k2.unit')).toBe('epoch_us')
  })

  it('an Arrow result, lineage and explain() show themselves too', async () => {
    const table = await minute().arrow()
    expect(shown(table)['text/html']).toContain('<td>2024-03-01T00:00:30.000000Z</td>')
    const lineage = lineageOf(table)
    expect(shown(lineage)['text/html']).toContain(lineage?.fingerprint)
    const plan = await minute().explain()
    const html = shown(plan)['text/html']
    expect(html).toMatch(/reads 1 of 6 files/)
    expect(html).toContain('<td>trades-d0-binance.parquet</td>')
    expect(html).toContain('exchange = &quot;binance&quot;') // reasons are escaped
  })

  it('escapes what the data holds', async () => {
    const memory = createQueryLayer(
      memoryCatalog({
        'bronze.dlq': [
          { exchange: 'binance', recv_ts: DAY0, raw: '<script>alert(1)</script>', error_code: 'PROTOCOL', error_message: 'a & b' },
        ],
      }),
      { engine: createDuckDBEngine() },
    )
    try {
      const html = shown(await memory.query('bronze.dlq').rows())['text/html']
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html).not.toContain('<script>')
      expect(html).toContain('a &amp; b')
    } finally {
      await memory.close()
    }
  })

  it('lineage is found on a result whichever copy of @k2/query attached it', async () => {
    const rows = await minute().limit(1).rows()
    const fromOtherCopy: object = []
    const key = Object.getOwnPropertySymbols(rows).find((s) => s.description === 'k2.lineage')
    expect(key).toBe(Symbol.for('k2.lineage'))
    Object.defineProperty(fromOtherCopy, Symbol.for('k2.lineage'), { value: lineageOf(rows) })
    expect(lineageOf(fromOtherCopy)).toEqual(lineageOf(rows))
    expect(lineageOf({})).toBeUndefined()
  })
})
