import { Bool, type DataType, Field, Float64, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow'
import type { EngineBatch, ValueKind } from './engine.js'

/** Arrow field metadata marking a Float64 column that holds exact epoch µs. */
export const TIME_METADATA: ReadonlyMap<string, string> = new Map([['k2.unit', 'epoch_us']])

function arrowType(kind: ValueKind): DataType {
  switch (kind) {
    case 'string':
    case 'json':
      return new Utf8()
    case 'boolean':
      return new Bool()
    default:
      // Numbers, integers and times are JS numbers in rows; Float64 keeps arrow and rows identical.
      return new Float64()
  }
}

/** The Arrow schema of a result (times: Float64 epoch µs with `k2.unit = epoch_us`), with table metadata. */
export function arrowSchema(names: readonly string[], kinds: readonly ValueKind[], metadata: Map<string, string>): Schema {
  const fields = names.map((n, i) => {
    const kind = kinds[i] ?? 'json'
    return new Field(n, arrowType(kind), true, kind === 'timestamp' ? new Map(TIME_METADATA) : new Map())
  })
  return new Schema(fields, metadata)
}

/** One engine batch as an Arrow record batch. */
export function toRecordBatch(batch: EngineBatch, schema: Schema): RecordBatch {
  const children = schema.fields.map((f, i) => {
    const kind = batch.kinds[i]
    const raw = batch.columns[i] ?? []
    const values = kind === 'json' ? raw.map((v) => (v === null ? null : JSON.stringify(v))) : raw
    return vectorFromArray(values as unknown[], f.type).data[0]!
  })
  const data = makeData({ type: new Struct(schema.fields), length: batch.rowCount, nullCount: 0, children })
  return new RecordBatch(schema, data)
}

/** All batches as one Arrow table (an empty result keeps its schema). */
export function toTable(batches: readonly EngineBatch[], schema: Schema): Table {
  return batches.length === 0 ? new Table(schema) : new Table(batches.map((b) => toRecordBatch(b, schema)))
}

/** All batches as plain row objects, column names as keys. */
export function toRows<R>(batches: readonly EngineBatch[]): R[] {
  const rows: R[] = []
  for (const b of batches) {
    const { names, columns } = b
    // A raw query may name a column `__proto__`: define it as data rather than set a prototype.
    const safe = !names.includes('__proto__')
    for (let r = 0; r < b.rowCount; r++) {
      if (safe) {
        const row: Record<string, unknown> = {}
        for (let c = 0; c < names.length; c++) row[names[c] as string] = columns[c]?.[r]
        rows.push(row as R)
      } else rows.push(Object.fromEntries(names.map((n, c) => [n, columns[c]?.[r]])) as R)
    }
  }
  return rows
}
