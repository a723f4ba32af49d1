import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { MICROS_PER_DAY, TABLE_NAMES, TABLE_SCHEMAS, type TableName } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { icebergRead } from 'icebird'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTrades, serveLake, T0, tempDir } from './helpers.js'

// Rows for every lake table, in two commits each, so there is a current and an earlier snapshot.
function rowsFor(table: TableName, batch: number): Record<string, unknown>[] {
  const t = T0 + batch * MICROS_PER_DAY
  const trades = makeTrades(40, { startId: 1 + batch * 100, start: t })
  switch (table) {
    case 'silver.trades':
      return trades.map((x) => ({
        exchange: x.exchange,
        symbol: x.symbol,
        id: x.id,
        price: x.price,
        qty: x.qty,
        side: x.side,
        ts: x.ts,
        recv_ts: x.recvTs,
      }))
    case 'silver.book':
      return trades.map((x, i) => ({
        exchange: 'kraken',
        symbol: 'BTC-USD',
        kind: i === 0 ? 'snapshot' : 'delta',
        sequence: i % 5 === 0 ? null : 1000 + i,
        first_sequence: i % 3 === 0 ? null : 990 + i,
        checksum: i % 4 === 0 ? null : 77 * i,
        snapshot_interval: i === 0 ? '1s' : null,
        side: i % 2 ? 'bid' : 'ask',
        price: x.price,
        qty: i % 7 === 0 ? 0 : x.qty,
        ts: x.ts,
        recv_ts: x.recvTs,
      }))
    case 'silver.quotes':
      return trades.map((x, i) => ({
        exchange: 'coinbase',
        symbol: 'BTC-USD',
        bid_price: x.price,
        bid_qty: x.qty,
        ask_price: x.price + 0.5 + i,
        ask_qty: x.qty * 2,
        ts: x.ts,
        recv_ts: x.recvTs,
      }))
    case 'gold.ohlcv':
      return trades.map((x, i) => ({
        exchange: 'binance',
        symbol: x.symbol,
        timeframe: i % 2 ? '1m' : '1h',
        start: x.ts,
        open: x.price,
        high: x.price + 1,
        low: x.price - 1,
        close: x.price,
        volume: x.qty,
        quote_volume: x.qty * x.price,
        trades: i,
        buy_volume: x.qty / 2,
        vwap: x.price,
        complete: i % 5 !== 0,
        source: i % 3 ? 'trades' : 'exchange',
        volume_exact: i % 3 ? '12.5' : null,
        quote_volume_exact: '0',
        buy_volume_exact: null,
      }))
    case 'bronze.frames':
      return trades.map((x, i) => ({
        exchange: 'coinbase',
        channel: 'matches',
        connection_id: i % 3,
        recv_ts: x.recvTs,
        data: JSON.stringify({ n: i, p: x.price, s: 'é✓' }),
      }))
    case 'bronze.dlq':
      return trades.map((x, i) => ({
        exchange: 'bitstamp',
        recv_ts: x.recvTs,
        raw: `{"bad":${i}`,
        error_code: 'PROTOCOL',
        error_message: `unexpected end ${i}`,
      }))
    case 'bronze.coverage':
      return trades.map((x, i) => ({
        exchange: 'binance',
        symbol: i % 4 === 0 ? null : x.symbol,
        kind: i % 2 ? 'subscribed' : 'gap',
        start_ts: x.ts,
        end_ts: x.ts + 10,
        from_id: i % 2 ? null : String(i),
        to_id: i % 2 ? null : String(i + 5),
        state: i % 2 ? null : 'healed',
        healed_by: i % 2 ? null : 'rest',
        detail: null,
      }))
  }
}

/** Rows in a form both readers agree on: numbers for ints, ms for times (icebird truncates to ms). */
function normal(rows: Record<string, unknown>[], timeCols: string[], fromIcebird: boolean): string[] {
  return rows
    .map((r) => {
      const o: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(r)) {
        if (v instanceof Date) o[k] = v.getTime()
        else if (typeof v === 'bigint') o[k] = Number(v)
        else if (!fromIcebird && timeCols.includes(k) && typeof v === 'number') o[k] = Math.floor(v / 1000)
        else o[k] = v === undefined ? null : v
      }
      return JSON.stringify(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      )
    })
    .sort()
}

describe('interoperability: what K2 writes, third-party readers read', () => {
  const { dir, cleanup } = tempDir()
  const root = join(dir, 'lake')
  let lake: Lake
  let server: Awaited<ReturnType<typeof serveLake>>
  const written = new Map<TableName, Record<string, unknown>[][]>()

  beforeAll(async () => {
    lake = await openLake(root)
    for (const name of TABLE_NAMES) {
      const t = await lake.table(name)
      const batches = [rowsFor(name, 0), rowsFor(name, 1)]
      for (const b of batches) await t.append(b as never)
      written.set(name, batches)
    }
    server = await serveLake(root)
  })
  afterAll(async () => {
    await server?.close()
    lake?.close()
    cleanup()
  })

  for (const name of TABLE_NAMES) {
    const [ns, tbl] = name.split('.') as [string, string]
    const timeCols = () => TABLE_SCHEMAS[name].filter((c) => c.type === 'timestamptz').map((c) => c.name as string)

    it(`icebird reads ${name} over HTTP, current and earlier snapshot, with the same rows as K2`, async () => {
      const t = await lake.table(name)
      const tableUrl = `${server.baseUrl}/${ns}/${tbl}`
      const current = await icebergRead({ tableUrl })
      const k2Current = await t.scan()
      expect(current).toHaveLength(80)
      expect(normal(current, timeCols(), true)).toEqual(normal(k2Current as never, timeCols(), false))
      const [first] = await t.history()
      const earlier = await icebergRead({ tableUrl, metadataFileName: 'v2.metadata.json' })
      const k2Earlier = await t.scan({ snapshot: first?.snapshotId as bigint })
      expect(earlier).toHaveLength(40)
      expect(normal(earlier, timeCols(), true)).toEqual(normal(k2Earlier as never, timeCols(), false))
      // and K2 returns exactly what was written (full µs precision)
      const input = (written.get(name) ?? []).flat()
      expect(normal(k2Current as never, [], false)).toEqual(normal(input, [], false))
    })
  }

  it('DuckDB read_parquet over the manifest-listed files returns the written rows; field ids and µs UTC timestamps', async () => {
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      for (const name of TABLE_NAMES) {
        const { files } = await lake.files(name)
        const list = files.map((f) => `'${f.path}'`).join(', ')
        const r = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet([${list}])`)
        expect(Number(r.getRows()[0]?.[0])).toBe(80)
        const t = await lake.table(name)
        for (const f of files) {
          const schema = (
            await conn.runAndReadAll(`SELECT name, field_id, logical_type FROM parquet_schema('${f.path}') WHERE name <> 'duckdb_schema'`)
          ).getRowObjectsJS()
          expect(schema.map((s) => [s.name, Number(s.field_id)])).toEqual(t.spec.columns.map((c) => [c.name, c.id]))
          for (const c of t.spec.columns.filter((x) => x.type === 'timestamptz')) {
            const lt = String(schema.find((s) => s.name === c.name)?.logical_type)
            expect(lt).toContain('isAdjustedToUTC=1')
            expect(lt).toContain('MICROS=MicroSeconds()')
          }
        }
      }
      // exact values through DuckDB for silver.trades
      const { files } = await lake.files('silver.trades')
      const rows = (
        await conn.runAndReadAll(
          `SELECT id, epoch_us(ts) AS ts, price FROM read_parquet([${files.map((f) => `'${f.path}'`).join(', ')}]) ORDER BY id::BIGINT`,
        )
      ).getRowObjectsJS()
      const input = (written.get('silver.trades') ?? []).flat().sort((a, b) => Number(a.id) - Number(b.id))
      expect(rows.map((r) => [r.id, Number(r.ts), r.price])).toEqual(input.map((r) => [r.id, r.ts, r.price]))
    } finally {
      conn.closeSync()
      db.closeSync()
    }
  })

  it('hyparquet, independently of DuckDB, reads back every data file K2 wrote with the same rows', async () => {
    for (const name of TABLE_NAMES) {
      const t = await lake.table(name)
      const { files } = await t.files()
      const all: Record<string, unknown>[] = []
      for (const f of files) {
        const bytes = readFileSync(f.path)
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)
        const rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[]
        expect(rows).toHaveLength(f.recordCount)
        all.push(...rows)
      }
      // hyparquet gives INT64 as bigint and timestamps as Date (ms), like icebird
      const timeCols = t.spec.columns.filter((c) => c.type === 'timestamptz').map((c) => c.name)
      expect(normal(all, timeCols, true)).toEqual(normal((await t.scan()) as never, timeCols, false))
    }
  })

  it('metadata JSON has every field the v2 spec requires, and consistent snapshots, logs and refs', () => {
    for (const name of TABLE_NAMES) {
      const [ns, tbl] = name.split('.') as [string, string]
      const metaDir = join(root, ns, tbl, 'metadata')
      const hint = readFileSync(join(metaDir, 'version-hint.text'), 'utf8')
      expect(hint).toMatch(/^\d+$/)
      const m = JSON.parse(readFileSync(join(metaDir, `v${hint}.metadata.json`), 'utf8'))
      const v1 = JSON.parse(readFileSync(join(metaDir, 'v1.metadata.json'), 'utf8'))
      for (const key of [
        'format-version',
        'table-uuid',
        'location',
        'last-sequence-number',
        'last-updated-ms',
        'last-column-id',
        'schemas',
        'current-schema-id',
        'partition-specs',
        'default-spec-id',
        'last-partition-id',
        'sort-orders',
        'default-sort-order-id',
      ]) {
        expect(m, `${name}: ${key}`).toHaveProperty([key])
      }
      expect(m).not.toHaveProperty(['schema'])
      expect(m).not.toHaveProperty(['partition-spec'])
      expect(m['table-uuid']).toBe(v1['table-uuid'])
      expect(m.location).toMatch(/^file:\/\/\//)
      expect(m.snapshots.map((s: { 'snapshot-id': number }) => s['snapshot-id'])).toContain(m['current-snapshot-id'])
      expect(m.refs.main).toEqual({ 'snapshot-id': m['current-snapshot-id'], type: 'branch' })
      const seqs = m.snapshots.map((s: { 'sequence-number': number }) => s['sequence-number'])
      expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b))
      expect(Math.max(...seqs)).toBeLessThanOrEqual(m['last-sequence-number'])
      expect(m['snapshot-log'].at(-1)['snapshot-id']).toBe(m['current-snapshot-id'])
      expect(m['metadata-log'].at(-1)['metadata-file']).toBe(`file://${join(metaDir, `v${Number(hint) - 1}.metadata.json`)}`)
      expect(m['last-column-id']).toBeGreaterThanOrEqual(Math.max(...m.schemas[0].fields.map((f: { id: number }) => f.id)))
      expect(m['last-partition-id']).toBeGreaterThanOrEqual(
        Math.max(999, ...m['partition-specs'][0].fields.map((f: { 'field-id': number }) => f['field-id'])),
      )
      for (const s of m.snapshots) {
        for (const v of Object.values(s.summary)) expect(typeof v).toBe('string')
        expect(s.summary.operation).toBe('append')
        expect(s['manifest-list']).toMatch(/^file:\/\/\/.*\/metadata\/snap-\d+-\d+-[0-9a-f-]+\.avro$/)
      }
    }
  })

  it('Avro manifests carry the Iceberg headers and field ids; sizes and row counts are exact', async () => {
    const { decodeAvroFile } = await import('../src/iceberg/avro-file.js')
    for (const name of TABLE_NAMES) {
      const t = await lake.table(name)
      const { metadata } = await t.current()
      const snap = metadata.snapshots.at(-1)
      const listPath = (snap?.['manifest-list'] ?? '').replace('file://', '')
      const listBuf = readFileSync(listPath)
      expect(listBuf.subarray(0, 4).toString('binary')).toBe('Obj\x01')
      const list = decodeAvroFile<{ manifest_path: string; manifest_length: number }>(listBuf)
      expect(list.metadata['avro.codec']).toBe('null')
      expect(list.metadata['format-version']).toBe('2')
      expect(
        JSON.parse(list.metadata['avro.schema'] as string).fields.every((f: { 'field-id'?: number }) => typeof f['field-id'] === 'number'),
      ).toBe(true)
      for (const m of list.records) {
        const buf = readFileSync(m.manifest_path.replace('file://', ''))
        expect(buf.length).toBe(Number(m.manifest_length))
        const man = decodeAvroFile<{ data_file: { file_path: string; file_size_in_bytes: number; record_count: number } }>(buf)
        for (const key of ['schema', 'schema-id', 'partition-spec', 'partition-spec-id', 'format-version', 'content', 'avro.codec'])
          expect(man.metadata).toHaveProperty([key])
        expect(man.metadata.content).toBe('data')
        for (const e of man.records) {
          const path = e.data_file.file_path.replace('file://', '')
          const bytes = readFileSync(path)
          expect(bytes.length).toBe(statSync(path).size)
          expect(Number(e.data_file.file_size_in_bytes)).toBe(bytes.length)
          // hyparquet reads the footer independently of DuckDB
          const footer = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
          expect(Number(footer.num_rows)).toBe(Number(e.data_file.record_count))
          expect(footer.key_value_metadata?.some((kv) => kv.key === 'iceberg.schema')).toBe(true)
        }
      }
    }
  })
})
