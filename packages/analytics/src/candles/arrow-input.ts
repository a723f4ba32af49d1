import { K2Error } from '@k2/core'
import { DataType, type Table, TimeUnit, type Vector } from 'apache-arrow'
import type { NormalizedBatch } from './batch.js'
import { KeyIndexer, sideToBuy, toIds } from './columns.js'

/** True for an Arrow table (duck-typed: a notebook may hold a second copy of apache-arrow). */
export function isArrowTable(value: unknown): value is Table {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Table).getChild === 'function' &&
    typeof (value as Table).numRows === 'number'
  )
}

/** Columns of silver.trades (exchange, symbol, id, price, qty, side, ts) as a batch; ts may be an Arrow timestamp, int64 or double µs. */
export function fromArrowTable(table: Table): NormalizedBatch {
  const n = table.numRows
  const ts = microsOf(required(table, 'ts'))
  const price = doublesOf(required(table, 'price'), 'price')
  const qty = doublesOf(required(table, 'qty'), 'qty')
  const side = table.getChild('side')
  const idCol = table.getChild('id')
  const id = idCol === null ? undefined : toIds(idCol.toArray() as ArrayLike<string>)
  const exchange = table.getChild('exchange')
  const symbol = table.getChild('symbol')
  const keys = new KeyIndexer(n)
  if (exchange === null && symbol === null) keys.single('', '')
  else {
    const ex = exchange?.toArray() as ArrayLike<string> | undefined
    const sy = symbol?.toArray() as ArrayLike<string> | undefined
    for (let i = 0; i < n; i++) keys.set(i, ex?.[i] ?? '', sy?.[i] ?? '')
  }
  return {
    length: n,
    ts,
    price,
    qty,
    buy: side === null ? undefined : sideToBuy(side.toArray() as ArrayLike<string>),
    id,
    ...keys.result(),
    describe: (i) => (id?.[i] ? `row ${i} (trade id ${id[i]})` : `row ${i}`),
  }
}

function required(table: Table, name: string): Vector {
  const col = table.getChild(name)
  if (col === null)
    throw new K2Error(
      'VALIDATION',
      `ohlcv: the Arrow table has no column "${name}"; it needs ts, price and qty (the columns of silver.trades)`,
    )
  if (col.nullCount > 0)
    throw new K2Error('VALIDATION', `ohlcv: column "${name}" has ${col.nullCount} nulls; filter rows without ${name} first`)
  return col
}

const UNIT_TO_MICROS: Record<number, number> = { [TimeUnit.SECOND]: 1e6, [TimeUnit.MILLISECOND]: 1e3, [TimeUnit.MICROSECOND]: 1 }

/** Epoch µs from the raw values (Arrow's `get()` on timestamps returns ms and would lose the µs). */
function microsOf(col: Vector): Float64Array {
  const out = new Float64Array(col.length)
  const type = col.type
  if (!DataType.isTimestamp(type) && !DataType.isInt(type) && !DataType.isFloat(type))
    throw new K2Error('VALIDATION', `ohlcv: column "ts" is ${String(type)}; expected an Arrow timestamp, or int64 / double epoch µs`)
  const scale = DataType.isTimestamp(type) ? (UNIT_TO_MICROS[type.unit] ?? 0) : 1
  let at = 0
  for (const chunk of col.data) {
    const values = chunk.values as ArrayLike<number | bigint>
    for (let i = 0; i < chunk.length; i++) {
      const raw = values[chunk.offset + i] as number | bigint
      // nanoseconds: truncate to µs in BigInt (ns epochs exceed 2^53)
      out[at++] = scale === 0 ? Number(BigInt(raw) / 1000n) : Number(raw) * scale
    }
  }
  return out
}

function doublesOf(col: Vector, name: string): ArrayLike<number> {
  if (!DataType.isFloat(col.type) && !DataType.isInt(col.type))
    throw new K2Error('VALIDATION', `ohlcv: column "${name}" is ${String(col.type)}; expected a double`)
  const values = col.toArray() as ArrayLike<number | bigint>
  return values instanceof BigInt64Array || values instanceof BigUint64Array
    ? Float64Array.from(values, Number)
    : (values as ArrayLike<number>)
}
