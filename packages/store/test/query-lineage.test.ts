import { createHash, webcrypto } from 'node:crypto'
import { fingerprint } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../src/query/sha256.js'

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    )
  })

  it('equals node:crypto on every length around the padding boundaries and on multi-byte UTF-8', () => {
    const units = ['a', 'é', '€', '😀', '"', '\n']
    for (let n = 0; n < 300; n++) {
      let text = ''
      for (let i = 0; i < n; i++) text += units[(i * 7 + n) % units.length]
      expect(sha256Hex(text), `length ${n}`).toBe(nodeSha256(text))
    }
    const big = 'x'.repeat(100_000) + '€'.repeat(1000)
    expect(sha256Hex(big)).toBe(nodeSha256(big))
  })
})

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
