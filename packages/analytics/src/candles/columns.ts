import { K2Error, showValue } from '@k2/core'
import type { NormalizedBatch } from './batch.js'
import type { TradeColumns } from './types.js'

/**
 * Inputs of the batch path, brought to one shape: a columnar batch as given (typed arrays are used
 * in place), trade objects copied once into typed arrays.
 */

/** What an array of trade-like objects needs per row (Trade from @k2/core fits). */
export interface TradeLike {
  ts: number
  price: number
  qty: number
  side?: string
  id?: string
  exchange?: string
  symbol?: string
}

export function fromTradeObjects(rows: ArrayLike<TradeLike>): NormalizedBatch {
  const n = rows.length
  const ts = new Float64Array(n)
  const price = new Float64Array(n)
  const qty = new Float64Array(n)
  const buy = new Uint8Array(n)
  const id: string[] = new Array(n)
  const keys = new KeyIndexer(n)
  for (let i = 0; i < n; i++) {
    const r = rows[i] as TradeLike
    if (r === null || typeof r !== 'object') throw new K2Error('VALIDATION', `ohlcv: row ${i} is ${showValue(r)}, not a trade object`)
    ts[i] = r.ts
    price[i] = r.price
    qty[i] = r.qty
    buy[i] = r.side === 'buy' ? 1 : 0
    id[i] = r.id === undefined ? '' : String(r.id)
    keys.set(i, r.exchange ?? '', r.symbol ?? '')
  }
  return { length: n, ts, price, qty, buy, id, ...keys.result(), describe: (i) => describeRow(i, id[i]) }
}

export function fromTradeColumns(c: TradeColumns): NormalizedBatch {
  const n = c.ts.length
  for (const [name, col] of Object.entries(c)) {
    if (typeof col === 'string') continue
    if (col !== undefined && (col as ArrayLike<unknown>).length !== n)
      throw new K2Error(
        'VALIDATION',
        `ohlcv: column ${name} has ${(col as ArrayLike<unknown>).length} rows but ts has ${n}; columns must be of equal length`,
      )
  }
  const ts = c.ts instanceof BigInt64Array ? Float64Array.from(c.ts, Number) : (c.ts as ArrayLike<number>)
  const id = c.id === undefined ? undefined : toIds(c.id)
  const keys = new KeyIndexer(n)
  if (typeof c.exchange !== 'object' && typeof c.symbol !== 'object') keys.single(c.exchange ?? '', c.symbol ?? '')
  else for (let i = 0; i < n; i++) keys.set(i, valueAt(c.exchange, i), valueAt(c.symbol, i))
  return {
    length: n,
    ts,
    price: c.price,
    qty: c.qty,
    buy: c.side === undefined ? undefined : c.side instanceof Uint8Array ? c.side : sideToBuy(c.side),
    id,
    ...keys.result(),
    describe: (i) => describeRow(i, id?.[i]),
  }
}

export function sideToBuy(side: ArrayLike<string | null>): Uint8Array {
  const buy = new Uint8Array(side.length)
  for (let i = 0; i < side.length; i++) buy[i] = side[i] === 'buy' ? 1 : 0
  return buy
}

export function toIds(ids: ArrayLike<string | number | bigint | null>): ArrayLike<string> {
  const first = ids.length > 0 ? ids[0] : ''
  if (typeof first === 'string' && Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return ids as string[]
  return Array.from(ids as ArrayLike<unknown>, (x) => (x === null || x === undefined ? '' : String(x)))
}

function valueAt(col: ArrayLike<string> | string | undefined, i: number): string {
  return col === undefined ? '' : typeof col === 'string' ? col : (col[i] as string)
}

function describeRow(i: number, id: string | undefined): string {
  return id ? `row ${i} (trade id ${id})` : `row ${i}`
}

/** Numbers the distinct (exchange, symbol) pairs, without building a string per row. */
export class KeyIndexer {
  private readonly index = new Map<string, number>()
  private readonly keys: Array<{ exchange: string; symbol: string }> = []
  private perRow: Uint32Array | undefined
  private lastExchange: string | undefined
  private lastSymbol: string | undefined
  private last = 0

  constructor(private readonly rows: number) {}

  single(exchange: string, symbol: string): void {
    this.keys.push({ exchange, symbol })
  }

  set(row: number, exchange: string, symbol: string): void {
    if (exchange !== this.lastExchange || symbol !== this.lastSymbol) {
      const name = `${exchange}\u0000${symbol}`
      let k = this.index.get(name)
      if (k === undefined) {
        k = this.keys.length
        this.index.set(name, k)
        this.keys.push({ exchange, symbol })
      }
      this.last = k
      this.lastExchange = exchange
      this.lastSymbol = symbol
    }
    if (this.last !== 0) this.perRow ??= new Uint32Array(this.rows)
    if (this.perRow !== undefined) this.perRow[row] = this.last
  }

  result(): { keys: Array<{ exchange: string; symbol: string }>; keyIndex: Uint32Array | undefined } {
    if (this.keys.length === 0) this.keys.push({ exchange: '', symbol: '' })
    return { keys: this.keys, keyIndex: this.perRow }
  }
}
