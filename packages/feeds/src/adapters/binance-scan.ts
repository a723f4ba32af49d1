import type { Trade } from '@k2/core'
import type { ParsedFrame } from './adapter.js'
import type { SymbolMap } from './fields.js'
import { BOOL, CHARS, DECIMAL, NUMBER, readDecimal, STR, scanEnd, UINT } from './strict-scan.js'

// A combined-stream payload in Binance's own key order (the older layout with b/a order ids, and any
// other, goes through JSON.parse).
const TRADE = new RegExp(
  `^\\{"stream":${STR},"data":\\{"e":"trade","E":${NUMBER},"s":"${CHARS}","t":${UINT},"p":"${DECIMAL}","q":"${DECIMAL}","T":${UINT},"m":${BOOL},"M":${BOOL}\\}\\}$`,
)
const AGG_TRADE = new RegExp(
  `^\\{"stream":${STR},"data":\\{"e":"aggTrade","E":${NUMBER},"s":"${CHARS}","a":${UINT},"p":"${DECIMAL}","q":"${DECIMAL}","f":${NUMBER},"l":${NUMBER},"T":${UINT},"m":${BOOL},"M":${BOOL}\\}\\}$`,
)

/**
 * The hot path: one `@trade` (or `@aggTrade`) frame in Binance's exact layout, read without JSON.parse.
 * Undefined for anything else, or for values the slow path must judge (an unknown symbol, a zero size).
 */
export function scanBinanceTrade(f: string, recvTs: number, map: SymbolMap, agg: boolean): ParsedFrame | undefined {
  if (!(agg ? AGG_TRADE : TRADE).test(f)) return undefined
  // {"stream":"…","data":{"e":"trade","E":…,"s":"
  let p = f.indexOf('"', 11) + (agg ? 29 : 26)
  p = f.indexOf(',', p) + 6
  let end = f.indexOf('"', p)
  const symbol = map.toCanonical(f.slice(p, end))
  if (symbol === undefined) return undefined
  p = end + 6 // ","t":
  end = f.indexOf(',', p)
  const id = f.slice(p, end)
  const price = readDecimal(f, end + 6) // ,"p":"
  const qty = readDecimal(f, scanEnd + 7) // ","q":"
  p = scanEnd + 6 // ","T":  (aggTrade: ","f":…,"l":…,"T":)
  if (agg) p = f.indexOf(',"T":', p) + 5
  const time = readDecimal(f, p)
  const buyerIsMaker = f.charCodeAt(scanEnd + 5) === 116 // ,"m":t
  if (!(price > 0) || !(qty > 0) || !Number.isSafeInteger(time * 1000)) return undefined
  const trade: Trade = {
    type: 'trade',
    exchange: 'binance',
    symbol,
    id,
    price,
    qty,
    // m = buyer is maker, so the taker sold.
    side: buyerIsMaker ? 'sell' : 'buy',
    ts: time * 1000,
    recvTs,
  }
  return { kind: 'trades', trades: [trade], snapshot: false }
}
