import { randomBytes } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'
import avro from 'avsc'

/**
 * Avro object container files, synchronously and without streams: a header (magic, metadata map
 * with the schema JSON verbatim — keeping Iceberg's `field-id` attributes — and `avro.codec`), then
 * blocks of records (K2 writes one, uncompressed; Java and Spark write `deflate`). avsc encodes the
 * records; the framing is a few lines.
 *
 * Longs are exact: avsc's own long throws on values above 2^53 (Spark's and pyiceberg's snapshot
 * ids), so longs decode as a number when that is exact and as a bigint otherwise, and either
 * encodes. Callers that need ids make them bigints (`manifests.ts`).
 */

const MAGIC = Buffer.from('Obj\x01', 'binary')
const HEADER_MAP = avro.Type.forSchema({ type: 'map', values: 'bytes' })
const LONG = avro.Type.forSchema('long')
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

const EXACT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const v = buf.readBigInt64LE(0)
    return v > SAFE || v < -SAFE ? v : Number(v)
  },
  toBuffer: (n: number | bigint) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (x: unknown) => x,
  toJSON: (x: unknown) => x,
  isValid: (n: unknown) => typeof n === 'bigint' || Number.isSafeInteger(n),
  compare: (a: number | bigint, b: number | bigint) => (a === b ? 0 : a < b ? -1 : 1),
})

/** An avsc type for an Iceberg Avro schema, with exact longs (a fresh registry: avsc adds named types to it). */
function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: EXACT_LONG } })
}

export function encodeAvroFile(schema: object, records: readonly unknown[], metadata: Record<string, string>): Buffer {
  const type = avroType(schema)
  const meta: Record<string, Buffer> = { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'avro.codec': Buffer.from('null') }
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v)
  const sync = randomBytes(16)
  const body = Buffer.concat(records.map((r) => type.toBuffer(r)))
  const parts = [MAGIC, HEADER_MAP.toBuffer(meta), sync]
  if (records.length > 0) parts.push(LONG.toBuffer(records.length), LONG.toBuffer(body.length), body, sync)
  return Buffer.concat(parts)
}

export interface AvroFile<T> {
  metadata: Record<string, string>
  records: T[]
}

/** Decodes an uncompressed Avro container file with the writer schema from its own header. */
export function decodeAvroFile<T>(buf: Buffer): AvroFile<T> {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new Error('not an Avro file (bad magic)')
  const header = HEADER_MAP.decode(buf, 4)
  if (header.offset < 0) throw new Error('truncated Avro header')
  const raw = header.value as Record<string, Buffer>
  const metadata: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) metadata[k] = v.toString()
  const codec = metadata['avro.codec'] ?? 'null'
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`Avro codec ${codec} is not supported (K2 reads null and deflate)`)
  const schemaJson = metadata['avro.schema']
  if (!schemaJson) throw new Error('Avro header has no avro.schema')
  const type = avroType(JSON.parse(schemaJson))
  let pos = header.offset + 16
  const records: T[] = []
  while (pos < buf.length) {
    const count = LONG.decode(buf, pos)
    const size = count.offset < 0 ? count : LONG.decode(buf, count.offset)
    if (count.offset < 0 || size.offset < 0) throw new Error('truncated Avro block header')
    const start = size.offset
    const end = start + (size.value as number)
    if (end + 16 > buf.length) throw new Error('truncated Avro block')
    const block = codec === 'deflate' ? inflateRawSync(buf.subarray(start, end)) : buf.subarray(start, end)
    let p = 0
    for (let i = 0; i < (count.value as number); i++) {
      const r = type.decode(block, p)
      if (r.offset < 0) throw new Error('truncated Avro record')
      records.push(r.value as T)
      p = r.offset
    }
    pos = end + 16
  }
  return { metadata, records }
}
