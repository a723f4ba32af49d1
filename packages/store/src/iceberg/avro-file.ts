import { randomBytes } from 'node:crypto'
import avro from 'avsc'

/**
 * Avro object container files, synchronously and without streams: a header (magic, metadata map
 * with the schema JSON verbatim — keeping Iceberg's `field-id` attributes — and `avro.codec`), then
 * one block of records. avsc encodes the records; the framing is a few lines.
 */

const MAGIC = Buffer.from('Obj\x01', 'binary')
const HEADER_MAP = avro.Type.forSchema({ type: 'map', values: 'bytes' })
const LONG = avro.Type.forSchema('long')

export function encodeAvroFile(schema: object, records: readonly unknown[], metadata: Record<string, string>): Buffer {
  const type = avro.Type.forSchema(schema as avro.Schema)
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
  if (codec !== 'null') throw new Error(`Avro codec ${codec} is not supported (K2 writes uncompressed manifests)`)
  const schemaJson = metadata['avro.schema']
  if (!schemaJson) throw new Error('Avro header has no avro.schema')
  const type = avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema)
  let pos = header.offset + 16
  const records: T[] = []
  while (pos < buf.length) {
    const count = LONG.decode(buf, pos)
    const size = count.offset < 0 ? count : LONG.decode(buf, count.offset)
    if (count.offset < 0 || size.offset < 0) throw new Error('truncated Avro block header')
    let p = size.offset
    const end = p + (size.value as number)
    if (end + 16 > buf.length) throw new Error('truncated Avro block')
    for (let i = 0; i < (count.value as number); i++) {
      const r = type.decode(buf, p)
      if (r.offset < 0) throw new Error('truncated Avro record')
      records.push(r.value as T)
      p = r.offset
    }
    pos = end + 16
  }
  return { metadata, records }
}
