// Level checks shared by the book parsers: a level is a positive price and a quantity ≥ 0 (0 removes it),
// read with the one decimal grammar of fields.ts, and kept with its wire text.
import type { Exchange, Level } from '@k2/core'
import type { BookSnapshotApi } from './adapter.js'
import { array, caught, DECIMAL, FieldError, show } from './fields.js'

/** A message's levels of one side, and their wire text index for index. */
export interface SideLevels {
  levels: Level[]
  text: [string, string][]
}

export const emptySide = (): SideLevels => ({ levels: [], text: [] })

/** A price sent as a decimal string: positive and finite. */
export function priceText(value: unknown, field: string): number {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw new FieldError(`field "${field}" must be a decimal string such as "65000.5", got ${show(value)}`)
  const n = Number(value)
  if (!(n > 0) || n === Number.POSITIVE_INFINITY)
    throw new FieldError(`field "${field}" must be a positive finite price, got ${show(value)}`)
  return n
}

/** A book quantity sent as a decimal string: finite and ≥ 0 (0 removes the level). */
export function qtyText(value: unknown, field: string): number {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw new FieldError(`field "${field}" must be a decimal string such as "0.25", got ${show(value)}`)
  const n = Number(value)
  if (!(n >= 0) || n === Number.POSITIVE_INFINITY)
    throw new FieldError(`field "${field}" must be a finite quantity >= 0, got ${show(value)}`)
  return n === 0 ? 0 : n // -0 is 0
}

/** Adds one level to a side. */
export function pushLevel(side: SideLevels, price: unknown, qty: unknown, field: string): void {
  const p = priceText(price, `${field} price`)
  const q = qtyText(qty, `${field} qty`)
  side.levels.push([p, q])
  side.text.push([price as string, qty as string])
}

/** `[[price, qty], …]` of decimal strings (Binance, Bitstamp); extra elements in a row are ignored. */
export function pairLevels(value: unknown, field: string): SideLevels {
  const side = emptySide()
  for (const row of array(value, field)) {
    const pair = array(row, `a level of "${field}"`)
    if (pair.length < 2) throw new FieldError(`a level of "${field}" must be [price, qty], got ${show(row)}`)
    pushLevel(side, pair[0], pair[1], field)
  }
  return side
}

/** Makes a snapshot API total: what its parser throws becomes an `error` result, as in `parse`. */
export function totalSnapshotApi(exchange: Exchange, api: BookSnapshotApi): BookSnapshotApi {
  return {
    url: api.url,
    parse: (body, symbol, recvTs) => {
      try {
        return api.parse(body, symbol, recvTs)
      } catch (err) {
        return caught(exchange, body, err)
      }
    },
  }
}
