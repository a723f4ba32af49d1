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

// avsc hands the raw zig-zag varint bytes (noUnpack): up to 7 bytes (|n| < 2^48) decode with plain
// number arithmetic, which keeps manifests with thousands of entries fast; longer ones via BigInt.
function readVarLong(buf: Buffer): number | bigint {
  if (buf.length <= 7) {
    let z = 0
    for (let i = buf.length - 1; i >= 0; i--) z = z * 128 + ((buf[i] as number) & 0x7f)
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }
  let z = 0n
  for (let i = buf.length - 1; i >= 0; i--) z = (z << 7n) | BigInt((buf[i] as number) & 0x7f)
  const v = z & 1n ? -((z + 1n) >> 1n) : z >> 1n
  return v > SAFE || v < -SAFE ? v : Number(v)
}

const SMALL = 2 ** 52 // below this, 2|n| + 1 is exact in a double

function writeVarLong(n: number | bigint): Buffer {
  const out: number[] = []
  if (typeof n === 'number' && Math.abs(n) < SMALL) {
    let z = n >= 0 ? n * 2 : -n * 2 - 1
    while (z >= 128) {
      out.push((z % 128) | 128)
      z = Math.floor(z / 128)
    }
    out.push(z)
  } else {
    const v = BigInt(n)
    let z = v >= 0n ? v << 1n : (-v << 1n) - 1n
    while (z >= 128n) {
      out.push(Number(z & 127n) | 128)
      z >>= 7n
    }
    out.push(Number(z))
  }
  return Buffer.from(out)
}

const INT64 = 2n ** 63n

const EXACT_LONG = avro.types.LongType.__with(
  {
    fromBuffer: readVarLong,
    toBuffer: writeVarLong,
    fromJSON: (x: unknown) => x,
    toJSON: (x: unknown) => x,
    isValid: (n: unknown) => (typeof n === 'bigint' ? n >= -INT64 && n < INT64 : Number.isSafeInteger(n)),
    compare: (a: number | bigint, b: number | bigint) => (a === b ? 0 : a < b ? -1 : 1),
  },
  true,
)

/** An avsc type for an Iceberg Avro schema, with exact longs (a fresh registry: avsc adds named types to it). */
function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: EXACT_LONG } })
}

// Readers see the same few schemas again and again (every manifest of a table): build each once.
// avsc's own long is twice as fast and throws rather than rounds, so it reads first; files with a
// long beyond 2^53 (other engines' snapshot ids) are read again with the exact one.
const readTypes = new Map<string, { fast: avro.Type; exact?: avro.Type }>()

function decodeRecords<T>(schemaJson: string, read: (type: avro.Type) => T[]): T[] {
  let types = readTypes.get(schemaJson)
  if (!types) {
    if (readTypes.size >= 64) readTypes.clear()
    types = { fast: avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema) }
    readTypes.set(schemaJson, types)
  }
  try {
    return read(types.fast)
  } catch (err) {
    if (!/precision loss/.test((err as Error).message)) throw err
    types.exact ??= avroType(JSON.parse(schemaJson))
    return read(types.exact)
  }
}

const writeTypes = new Map<string, avro.Type>()

export function encodeAvroFile(schema: object, records: readonly unknown[], metadata: Record<string, string>): Buffer {
  const schemaJson = JSON.stringify(schema)
  let type = writeTypes.get(schemaJson)
  if (!type) {
    if (writeTypes.size >= 64) writeTypes.clear()
    type = avroType(schema)
    writeTypes.set(schemaJson, type)
  }
  const meta: Record<string, Buffer> = { 'avro.schema': Buffer.from(schemaJson), 'avro.codec': Buffer.from('null') }
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

/** Decodes an Avro container file (codec null or deflate) with the writer schema from its own header. */
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
  const records = decodeRecords(schemaJson, (type) => decodeBlocks<T>(buf, header.offset + 16, codec, type))
  return { metadata, records }
}

function decodeBlocks<T>(buf: Buffer, first: number, codec: string, type: avro.Type): T[] {
  let pos = first
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
  return records
}
