import { Bool, type DataType, Float64, Int32, Int64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow'
import type { LoadColumn } from './engine.js'

const ARROW_TYPE = {
  string: () => new Utf8(),
  double: () => new Float64(),
  long: () => new Int64(),
  int: () => new Int32(),
  boolean: () => new Bool(),
  timestamptz: () => new Int64(), // epoch µs; the load SELECT makes them TIMESTAMPTZ
} satisfies Record<LoadColumn['type'], () => DataType>

/** Columns to load as one Arrow IPC stream (64-bit integers as BigInt, exact). */
export function arrowIpc(columns: readonly LoadColumn[]): Uint8Array {
  const vectors = Object.fromEntries(
    columns.map((c) => {
      const wide = c.type === 'long' || c.type === 'timestamptz'
      const values = wide ? c.values.map((v) => (v === null ? null : BigInt(v as number))) : c.values
      return [c.name, vectorFromArray(values as unknown[], ARROW_TYPE[c.type]())]
    }),
  )
  return tableToIPC(new Table(vectors), 'stream')
}
