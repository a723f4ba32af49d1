import { readFileSync, writeFileSync } from 'node:fs'
import type { LakeTable } from '@k2/store'
import { decodeAvroFile, encodeAvroFile } from '../src/iceberg/avro-file.js'

/** Hand edits of a K2 table's files, as another engine or a hostile writer would make them (tests only). */

export type EditableMetadata = Record<string, unknown> & { snapshots: Record<string, unknown>[] }

/** Edits the newest metadata file in place. K2's ids are below 2^53, so JSON.parse is exact here. */
export async function editMetadata(t: LakeTable, edit: (m: EditableMetadata) => void): Promise<void> {
  const { file } = await t.current()
  const meta = JSON.parse(readFileSync(file, 'utf8')) as EditableMetadata
  edit(meta)
  writeFileSync(file, JSON.stringify(meta))
}

/** Re-encodes an Avro file with the same schema and header, records changed (or added) by `edit`; returns its length. */
export function rewriteAvro(from: string, to: string, edit: (records: Record<string, unknown>[]) => void): number {
  const f = decodeAvroFile<Record<string, unknown>>(readFileSync(from))
  edit(f.records)
  const header = Object.fromEntries(Object.entries(f.metadata).filter(([k]) => !k.startsWith('avro.')))
  const buf = encodeAvroFile(JSON.parse(f.metadata['avro.schema'] as string), f.records, header)
  writeFileSync(to, buf)
  return buf.length
}
