import { deflateRawSync } from 'node:zlib'
import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import { decodeAvroFile, encodeAvroFile } from '../src/iceberg/avro-file.js'

const SCHEMA = { type: 'record', name: 'r', fields: [{ name: 'v', type: 'long', 'field-id': 1 }] }

describe('Avro container files', () => {
  it('round-trips every long exactly: numbers when exact, bigints beyond 2^53', () => {
    const values: (number | bigint)[] = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 47,
      2 ** 48,
      -(2 ** 48),
      2 ** 52,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
    ]
    const big = [2n ** 53n, -(2n ** 53n), 6962069681001976462n, 2n ** 63n - 1n, -(2n ** 63n)]
    const buf = encodeAvroFile(
      SCHEMA,
      [...values, ...big].map((v) => ({ v })),
      { k: 'x' },
    )
    const { metadata, records } = decodeAvroFile<{ v: number | bigint }>(buf)
    expect(records.map((r) => r.v)).toEqual([...values, ...big])
    expect(metadata.k).toBe('x')
    expect(() => encodeAvroFile(SCHEMA, [{ v: 2n ** 63n }], {})).toThrow()
    expect(() => encodeAvroFile(SCHEMA, [{ v: 2 ** 53 }], {})).toThrow() // not a safe integer: maybe rounded already
  })

  it('reads deflate blocks, as Java and Spark write manifests', () => {
    const plain = encodeAvroFile(SCHEMA, [{ v: 7 }, { v: 6962069681001976462n }], {})
    // Re-frame the file: the same header with avro.codec = deflate, and its one block deflated.
    const map = avro.Type.forSchema({ type: 'map', values: 'bytes' })
    const long = avro.Type.forSchema('long')
    const header = map.decode(plain, 4)
    const meta = { ...(header.value as Record<string, Buffer>), 'avro.codec': Buffer.from('deflate') }
    const sync = plain.subarray(header.offset, header.offset + 16)
    const count = long.decode(plain, header.offset + 16)
    const size = long.decode(plain, count.offset)
    const block = plain.subarray(size.offset, size.offset + (size.value as number))
    const deflated = deflateRawSync(block)
    const file = Buffer.concat([
      plain.subarray(0, 4),
      map.toBuffer(meta),
      sync,
      long.toBuffer(count.value),
      long.toBuffer(deflated.length),
      deflated,
      sync,
    ])
    expect(decodeAvroFile<{ v: unknown }>(file).records.map((r) => r.v)).toEqual([7, 6962069681001976462n])
  })
})
