import { K2Error } from '@k2/core'

/** Bad rows fail loudly, naming the row: a NaN price must never become a silently wrong candle. */
export function badTrade(where: string, ts: number, price: number, qty: number): K2Error {
  const what = !Number.isSafeInteger(ts)
    ? `ts ${ts} is not an integer of epoch µs (convert ms with × 1000, drop rows without a time)`
    : !(price > 0 && price < Number.POSITIVE_INFINITY)
      ? `price ${price} is not a positive finite number`
      : `qty ${qty} is not a positive finite number`
  return new K2Error('VALIDATION', `ohlcv: ${where}: ${what}; fix or filter that row`, { details: { ts, price, qty } })
}

/** True when a trade's numbers can make a candle. */
export function isValidTrade(ts: number, price: number, qty: number): boolean {
  return price > 0 && price < Number.POSITIVE_INFINITY && qty > 0 && qty < Number.POSITIVE_INFINITY && Number.isSafeInteger(ts)
}
