import type { Trade } from '@k2/core'
import type { ParsedFrame } from './adapter.js'
import type { SymbolMap } from './fields.js'
import { CHARS, DECIMAL, ISO, readDecimal, readIso, STR, scanEnd, UINT } from './strict-scan.js'

const TRADE = `\\{"product_id":"${CHARS}","trade_id":"${UINT}","price":"${DECIMAL}","size":"${DECIMAL}","time":"${ISO}","side":"(?:BUY|SELL)"\\}`
const EVENT = `\\{"type":"(?:update|snapshot)","trades":\\[${TRADE}(?:,${TRADE})*\\]\\}`
// A market_trades message in Coinbase's key order (client_id is sent by some servers, not others).
const MESSAGE = new RegExp(
  `^\\{"channel":"market_trades",(?:"client_id":${STR},)?"timestamp":${STR},"sequence_num":${UINT},"events":\\[${EVENT}(?:,${EVENT})*\\]\\}$`,
)

/** The hot path: a `market_trades` message in Coinbase's exact layout, read without JSON.parse; undefined for anything else. */
export function scanCoinbaseTrades(f: string, recvTs: number, map: SymbolMap): ParsedFrame | undefined {
  if (!MESSAGE.test(f)) return undefined
  let p = f.indexOf('"events":[', 27) + 10 // at the first event's {
  const trades: Trade[] = []
  let snapshot = false
  for (;;) {
    const isSnapshot = f.charCodeAt(p + 9) === 115 // {"type":"s
    if (isSnapshot) snapshot = true
    p += isSnapshot ? 29 : 27 // {"type":"update","trades":[  → at the first trade's {
    for (;;) {
      p += 15 // {"product_id":"
      let end = f.indexOf('"', p)
      const symbol = map.toCanonical(f.slice(p, end))
      if (symbol === undefined) return undefined
      p = end + 14 // ","trade_id":"
      end = f.indexOf('"', p)
      const id = f.slice(p, end)
      const price = readDecimal(f, end + 11) // ","price":"
      const qty = readDecimal(f, scanEnd + 10) // ","size":"
      const ts = readIso(f, scanEnd + 10) // ","time":"
      // Coinbase prints the maker side: a SELL maker means the taker bought.
      const makerSold = f.charCodeAt(scanEnd + 10) === 83 // ","side":"S
      if (!(price > 0) || !(qty > 0) || Number.isNaN(ts)) return undefined
      trades.push({ type: 'trade', exchange: 'coinbase', symbol, id, price, qty, side: makerSold ? 'buy' : 'sell', ts, recvTs })
      p = scanEnd + (makerSold ? 16 : 15) // ","side":"SELL"} → , or ]
      if (f.charCodeAt(p) !== 44) break
      p++
    }
    // ]} then , (another event) or ]
    if (f.charCodeAt(p + 2) !== 44) break
    p += 3
  }
  // Coinbase lists the trades of an event newest first.
  if (trades.length > 1) trades.sort(byId)
  return { kind: 'trades', trades, snapshot }
}

const byId = (a: Trade, b: Trade) => Number(a.id) - Number(b.id)
