import type { Trade } from '@k2/core'
import type { ParsedFrame } from './adapter.js'
import type { SymbolMap } from './fields.js'
import { CHARS, DECIMAL, NUMBER, readDecimal, STR, scanEnd, UINT } from './strict-scan.js'

// A live_trades frame in the compact layout of Bitstamp's current servers (the 2021 servers' sorted
// keys and ", " separators go through JSON.parse).
const TRADE = new RegExp(
  `^\\{"data":\\{"id":${UINT},"timestamp":${STR},"amount":${NUMBER},"amount_str":"${DECIMAL}","price":${NUMBER},"price_str":"${DECIMAL}","type":[01],"microtimestamp":"\\d{1,16}","buy_order_id":${NUMBER},"sell_order_id":${NUMBER}\\},"channel":"live_trades_${CHARS}","event":"trade"\\}$`,
)

/** The hot path: a `live_trades_<pair>` trade in Bitstamp's compact layout, read without JSON.parse; undefined for anything else. */
export function scanBitstampTrade(f: string, recvTs: number, map: SymbolMap): ParsedFrame | undefined {
  if (!TRADE.test(f)) return undefined
  let end = f.indexOf(',', 14) // {"data":{"id":
  const id = f.slice(14, end)
  // ,"timestamp":"…","amount":…,"amount_str":"
  let p = f.indexOf('"', end + 14) + 1
  p = f.indexOf(',', p + 10) + 15
  const qty = readDecimal(f, p)
  p = f.indexOf(',', scanEnd + 10) + 14 // ","price":…,"price_str":"
  const price = readDecimal(f, p)
  const sold = f.charCodeAt(scanEnd + 9) === 49 // ","type":1
  const ts = readDecimal(f, scanEnd + 29) // ","type":0,"microtimestamp":"
  p = f.indexOf('},"channel":"live_trades_', scanEnd) + 25
  end = f.indexOf('"', p)
  const symbol = map.toCanonical(f.slice(p, end))
  if (symbol === undefined || !(price > 0) || !(qty > 0) || !Number.isSafeInteger(ts)) return undefined
  const trade: Trade = { type: 'trade', exchange: 'bitstamp', symbol, id, price, qty, side: sold ? 'sell' : 'buy', ts, recvTs }
  return { kind: 'trades', trades: [trade], snapshot: false }
}
