import { webcrypto } from 'node:crypto'
import { fingerprint } from '@k2/query'
import { describe, expect, it } from 'vitest'

describe('fingerprint', () => {
  it('is the Web Crypto SHA-256 of the canonical JSON it always was, so stored lineage still matches', async () => {
    const sql =
      'SELECT "t"."ts" AS "ts" FROM read_parquet($1::VARCHAR[], hive_partitioning = false) AS "t" WHERE "t"."symbol" = $2::VARCHAR'
    const params = [
      ['/lake/silver/trades/data/ts_day=19783/exchange=kraken/00000.parquet'],
      'ETH-€',
      1709251200000000,
      12345678901234567890n,
      null,
      true,
    ]
    const canonical = JSON.stringify({ sql, params }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
    const digest = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
    const expected = Buffer.from(digest).toString('hex')
    expect(await fingerprint(sql, params)).toBe(expected)
    expect(await fingerprint(sql, [...params.slice(0, 3), 12345678901234567891n, null, true])).not.toBe(expected)
    const plain = [['/lake/a.parquet'], 'BTC-USDT', 1.5, -3, null, false]
    const plainDigest = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ sql, params: plain })))
    expect(await fingerprint(sql, plain)).toBe(Buffer.from(plainDigest).toString('hex'))
  })
})
