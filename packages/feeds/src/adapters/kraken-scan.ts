import type { Trade } from '@k2/core'
import type { ParsedFrame } from './adapter.js'
import type { SymbolMap } from './fields.js'
import { CHARS, ISO, PLAIN_NUMBER, readDecimal, readIso, STR, scanEnd, UINT } from './strict-scan.js'

const ROW = `\\{"symbol":"${CHARS}","side":"(?:buy|sell)","price":${PLAIN_NUMBER},"qty":${PLAIN_NUMBER},"ord_type":${STR},"trade_id":${UINT},"timestamp":"${ISO}"\\}`
// A trade message in Kraken's documented key order, one or more rows.
const TRADES = new RegExp(`^\\{"channel":"trade","type":"(?:update|snapshot)","data":\\[${ROW}(?:,${ROW})*\\]\\}$`)

/** The hot path: a v2 `trade` message in Kraken's exact layout, read without JSON.parse; undefined for anything else. */
export function scanKrakenTrades(f: string, recvTs: number, map: SymbolMap): ParsedFrame | undefined {
  if (!TRADES.test(f)) return undefined
  const snapshot = f.charCodeAt(27) === 115 // {"channel":"trade","type":"s
  let p = snapshot ? 45 : 43 // at the first row's {
  const trades: Trade[] = []
  for (;;) {
    p += 11 // {"symbol":"
    let end = f.indexOf('"', p)
    const symbol = map.toCanonical(f.slice(p, end))
    if (symbol === undefined) return undefined
    const buy = f.charCodeAt(end + 10) === 98 // ","side":"b
    const price = readDecimal(f, end + (buy ? 23 : 24)) // ","side":"buy","price":
    const qty = readDecimal(f, scanEnd + 7) // ,"qty":
    p = f.indexOf('"', scanEnd + 13) + 13 // ,"ord_type":"…","trade_id":
    end = f.indexOf(',', p)
    const id = f.slice(p, end)
    const ts = readIso(f, end + 14) // ,"timestamp":"
    if (!(price > 0) || !(qty > 0) || Number.isNaN(ts)) return undefined
    trades.push({ type: 'trade', exchange: 'kraken', symbol, id, price, qty, side: buy ? 'buy' : 'sell', ts, recvTs })
    // "} then , (another row) or ]
    if (f.charCodeAt(scanEnd + 2) !== 44) break
    p = scanEnd + 3
  }
  if (trades.length > 1) trades.sort(byId)
  return { kind: 'trades', trades, snapshot }
}

const byId = (a: Trade, b: Trade) => Number(a.id) - Number(b.id)
