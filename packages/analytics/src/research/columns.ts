import type { Table, Vector } from 'apache-arrow'
import { invalid } from './validation.js'

/**
 * A column of numbers: a plain array (null stands for missing), a typed array, or an Arrow vector.
 * Every research function reads it as a `Float64Array` in which missing values are NaN.
 */
export type NumericInput = ArrayLike<number | null> | Vector

/** Arrow's type ids and time units, spelled out so this file needs no runtime import of the enum. */
const TYPE_TIMESTAMP = 10
const UNIT_TO_MICROS = [1_000_000, 1_000, 1, 0.001] // second, millisecond, microsecond, nanosecond

/** True for an Arrow `Table`, also one from another copy of apache-arrow (a notebook may load two). */
export function isArrowTable(value: unknown): value is Table {
  const t = value as Table | null
  return typeof t === 'object' && t !== null && typeof t.getChild === 'function' && typeof t.numRows === 'number'
}

function isVector(value: unknown): value is Vector {
  const v = value as Vector | null
  return typeof v === 'object' && v !== null && typeof v.toArray === 'function' && typeof v.isValid === 'function' && 'type' in v
}

/** An Arrow vector as float64, nulls as NaN; int64 via Number(), timestamps converted to epoch µs. */
function vectorToFloat64(vector: Vector): Float64Array {
  const raw = vector.toArray() as ArrayLike<number | bigint>
  const type = vector.type as { typeId: number; unit?: number }
  const scale = type.typeId === TYPE_TIMESTAMP ? (UNIT_TO_MICROS[type.unit ?? 2] ?? 1) : 1
  const out = new Float64Array(vector.length)
  for (let i = 0; i < out.length; i++) {
    const v = raw[i]
    const n = typeof v === 'bigint' ? Number(v) : (v as number)
    out[i] = scale === 1 ? n : scale < 1 ? Math.floor(n * scale) : n * scale
  }
  if (vector.nullCount > 0) for (let i = 0; i < out.length; i++) if (!vector.isValid(i)) out[i] = Number.NaN
  return out
}

/** Any numeric column as a new Float64Array; null, undefined and non-numbers become NaN. */
export function toFloat64(input: NumericInput, what: string): Float64Array {
  if (input instanceof Float64Array) return input.slice()
  if (isVector(input)) return vectorToFloat64(input)
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<unknown>).length !== 'number') {
    throw invalid(`${what} must be an array of numbers, a typed array or an Arrow vector`)
  }
  const out = new Float64Array(input.length)
  for (let i = 0; i < out.length; i++) {
    const v = input[i]
    out[i] = typeof v === 'number' ? v : Number.NaN
  }
  return out
}

/** The first of `names` that the table has, as float64; a VALIDATION error naming them all otherwise. */
export function tableColumn(table: Table, names: readonly string[], what: string): Float64Array {
  const found = optionalTableColumn(table, names)
  if (found) return found
  const have = table.schema.fields.map((f) => f.name).join(', ')
  throw invalid(`${what}: the Arrow table needs a column ${names.join(' or ')}; it has ${have || 'no columns'}`)
}

/** Like `tableColumn`, but undefined when the table has none of the names. */
export function optionalTableColumn(table: Table, names: readonly string[]): Float64Array | undefined {
  for (const name of names) {
    const child = table.getChild(name)
    if (child) return vectorToFloat64(child)
  }
  return undefined
}

/** A string column of a table (nulls as undefined), or undefined when the table lacks it. */
export function tableStrings(table: Table, name: string): (string | undefined)[] | undefined {
  const child = table.getChild(name)
  if (!child) return undefined
  const out: (string | undefined)[] = new Array(child.length)
  for (let i = 0; i < child.length; i++) {
    const v = child.get(i)
    out[i] = v === null || v === undefined ? undefined : String(v)
  }
  return out
}

/** One field of each object as float64: the first of `names` each object has (camelCase or snake_case). */
export function objectColumn(rows: readonly object[], names: readonly string[], what: string): Float64Array {
  const out = new Float64Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Record<string, unknown>
    const name = names.find((k) => k in row)
    if (name === undefined) throw invalid(`${what}: row ${i} has no field ${names.join(' or ')}`, { row: i })
    const v = row[name]
    out[i] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NaN
  }
  return out
}
