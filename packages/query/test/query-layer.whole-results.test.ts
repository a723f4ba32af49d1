import { copyFileSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DataFile, K2Error } from '@k2/core'
import { createQueryLayer, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, type FixtureLake } from './support/fixture-lake.js'
import { ParquetCatalog } from './support/parquet-catalog.js'

// A result is whole or an error, from rows(), arrow() and batches() alike: a query stopped by its
// timeout, the memory limit or close(), or failing half-way, never comes back shortened.

let lake: FixtureLake
beforeAll(async () => {
  lake = await createFixtureLake()
})
afterAll(async () => lake?.close())

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)
const failure = async (run: () => Promise<unknown>) => {
  try {
    await run()
  } catch (e) {
    return e as Error
  }
  return undefined
}
const drain = async (it: AsyncIterable<{ numRows: number }>, pauseMs = 0) => {
  let rows = 0
  for await (const b of it) {
    rows += b.numRows
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
  }
  return rows
}

describe('whole results or an error', () => {
  let layer: QueryLayer
  beforeAll(() => {
    layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine({ threads: 1 }), timeoutMs: 150, maxRows: 100_000_000 })
  })
  afterAll(() => layer?.close())

  it('case 4: a query cut by its timeout throws QUERY_TIMEOUT from rows(), arrow() and batches()', async () => {
    // Quick in DuckDB, far too many rows to hand to JS within the timeout.
    const big = () => layer.sql`select x from range(20000000) t(x)`
    for (const read of [() => big().rows(), () => big().arrow(), () => drain(big().batches())]) {
      const err = await failure(read)
      expect(codeOf(err)).toBe('QUERY_TIMEOUT')
    }
    // A consumer slower than the timeout: the stream fails at the deadline instead of ending there.
    const err = await failure(() => drain(layer.sql`select x from range(900000) t(x)`.batches(), 20))
    expect(codeOf(err)).toBe('QUERY_TIMEOUT')
    expect(await layer.sql`select 41 + 1 as x`.rows()).toEqual([{ x: 42 }])
  })

  it('a query failing half-way is an error, not the rows before the failure', async () => {
    const halfway = () => layer.sql`select case when x < 500000 then x else error('boom at ' || x) end as x from range(900000) t(x)`
    for (const read of [() => halfway().rows(), () => halfway().arrow(), () => drain(halfway().batches())]) {
      const err = await failure(read)
      expect(codeOf(err)).toBe('QUERY')
      expect(err?.message).toContain('boom at 500000')
    }
  })

  it('the memory limit is CAPACITY from rows(), arrow() and batches()', async () => {
    const small = createQueryLayer(lake.catalog, {
      engine: await createDuckDBEngine({ memoryLimit: '64MB', threads: 1 }),
      timeoutMs: 120_000,
    })
    const big = () => small.sql`select count(distinct x) as n from (select range::varchar || 'abcdefghijkl' as x from range(20000000))`
    for (const read of [() => big().rows(), () => big().arrow(), () => drain(big().batches())]) {
      expect(codeOf(await failure(read))).toBe('CAPACITY')
    }
    await small.close()
  })

  it('close() interrupts a running query, which throws CLOSED instead of ending early', async () => {
    const closing = createQueryLayer(lake.catalog, { engine: createDuckDBEngine({ threads: 1 }), timeoutMs: 60_000 })
    let rows = 0
    const reading = (async () => {
      for await (const b of closing.sql`select x from range(900000) t(x)`.batches()) {
        rows += b.numRows
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    while (rows === 0) await new Promise((r) => setTimeout(r, 5))
    const closed = closing.close()
    expect(codeOf(await failure(() => reading))).toBe('CLOSED')
    await closed
    expect(rows).toBeLessThan(900000)
  })
})

describe('data files that cannot be read', () => {
  const dataFile = async (name: string): Promise<DataFile> => {
    const [f0] = (await lake.catalog.files('silver.trades', { snapshot: lake.snapshots[0] as bigint })).files
    const path = join(lake.dir, name)
    copyFileSync((f0 as DataFile).path, path)
    return { ...(f0 as DataFile), path }
  }

  it('a deleted, truncated or garbled data file is CORRUPT_TABLE naming the file and the snapshot', async () => {
    const damage: [string, (path: string) => void][] = [
      ['deleted', (p) => unlinkSync(p)],
      ['truncated', (p) => truncateSync(p, 100)],
      [
        'garbled',
        (p) => {
          // the footer's thrift garbled: DuckDB's message ("TProtocolException") names no file
          const b = readFileSync(p)
          const footer = b.length - 8 - b.readUInt32LE(b.length - 8)
          b.fill(0xff, footer + 8, footer + 40)
          writeFileSync(p, b)
        },
      ],
    ]
    for (const [name, hurt] of damage) {
      const good = await dataFile(`good-${name}.parquet`)
      const bad = await dataFile(`bad-${name}.parquet`)
      hurt(bad.path)
      const catalog = new ParquetCatalog()
      const snapshotId = catalog.commit('silver.trades', [good, bad], 0)
      const layer = createQueryLayer(catalog, { engine: createDuckDBEngine({ threads: 1 }) })
      for (const read of [
        () => layer.query('silver.trades').rows(),
        () => layer.sql`select sum(price) as p, count(*) as n from ${layer.ref('silver.trades')}`.rows(),
        () => drain(layer.query('silver.trades').batches()),
      ]) {
        const err = await failure(read)
        expect(codeOf(err), name).toBe('CORRUPT_TABLE')
        expect(err?.message, name).toContain(bad.path)
        expect(err?.message, name).toContain(`snapshot ${snapshotId}`)
        expect(err?.message, name).toMatch(/restore it from a backup/)
      }
      await layer.close()
    }
  })
})
