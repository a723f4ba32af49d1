import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { coreOf } from '../src/table-core.js'
import { useTempLake } from './helpers.js'

// silver.book gained first_sequence and snapshot_interval in the middle of its columns, so a lake
// from before has the table with another schema (ids were positional). Such a table that was never
// written to takes today's layout at its first write; one that holds snapshots is refused, saying so.

/** silver.book as K2 created it before first_sequence and snapshot_interval (ids by position). */
const OLD_COLUMNS = ['exchange', 'symbol', 'kind', 'sequence', 'checksum', 'side', 'price', 'qty', 'ts', 'recv_ts']

/** Rewrites the table's latest metadata file to the old layout (as the older K2 wrote it). */
function toOldLayout(tableDir: string): void {
  const dir = join(tableDir, 'metadata')
  const latest = readdirSync(dir)
    .filter((f) => /^v\d+\.metadata\.json$/.test(f))
    .sort((a, b) => Number(a.slice(1).split('.')[0]) - Number(b.slice(1).split('.')[0]))
    .at(-1) as string
  const meta = JSON.parse(readFileSync(join(dir, latest), 'utf8'))
  const fields = meta.schemas[0].fields as { id: number; name: string }[]
  const byName = new Map(fields.map((f) => [f.name, f]))
  const old = OLD_COLUMNS.map((name, i) => ({ ...byName.get(name), id: i + 1 }))
  meta.schemas = [{ ...meta.schemas[0], fields: old }]
  meta['last-column-id'] = old.length
  const oldId = (id: number) => old.find((f) => f.name === fields.find((x) => x.id === id)?.name)?.id
  meta['partition-specs'] = meta['partition-specs'].map((s: { fields: { 'source-id': number }[] }) => ({
    ...s,
    fields: s.fields.map((f) => ({ ...f, 'source-id': oldId(f['source-id']) })),
  }))
  writeFileSync(join(dir, latest), JSON.stringify(meta))
}

const row = (sequence: number) => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  kind: 'snapshot',
  sequence,
  first_sequence: sequence - 1,
  side: 'bid',
  price: 42000,
  qty: 1.5,
  ts: Date.UTC(2024, 0, 1) * 1000,
  recv_ts: Date.UTC(2024, 0, 1) * 1000 + 5,
})

describe("a table of an older K2's layout", () => {
  const fx = useTempLake()

  it('never written to: takes the current layout at its first write, in that commit', async () => {
    const table = await fx.lake.table('silver.book')
    const core = coreOf(table)
    await core.ensure()
    toOldLayout(core.dir)
    const names = (m: { schemas: Record<string, unknown>[] }) =>
      ((m.schemas[0]?.fields ?? []) as { name: string; id: number }[]).map((f) => f.name)
    expect(names((await core.current()).metadata)).toEqual(OLD_COLUMNS)

    await table.append([row(7)] as never)
    const after = (await core.current()).metadata
    expect(after.schemas).toHaveLength(1)
    const fields = after.schemas[0]?.fields as { name: string; id: number }[]
    expect(fields.map((f) => [f.name, f.id])).toEqual(core.spec.columns.map((c) => [c.name, c.id]))
    const sources = ((after['partition-specs'][0]?.fields ?? []) as { 'source-id': number }[]).map((f) => f['source-id'])
    expect(sources).toEqual(core.spec.partition.map((p) => p.sourceId))
    expect(after.snapshots).toHaveLength(1)
    const rows = await table.scan()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ sequence: 7, first_sequence: 6, snapshot_interval: null, price: 42000 })
  })

  it('holding snapshots: writes are refused with UNSUPPORTED naming the older schema, and nothing changes', async () => {
    const table = await fx.lake.table('silver.book')
    await table.append([row(1)] as never)
    const core = coreOf(table)
    toOldLayout(core.dir)
    const err = await table.append([row(2)] as never).catch((e) => e)
    expect(err).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining("an older K2's") })
    expect((await core.current()).metadata.snapshots).toHaveLength(1)
  })
})
