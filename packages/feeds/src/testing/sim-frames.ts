import type { CanonicalSymbol, Exchange } from '@k2/core'
import { binanceProtocol } from './protocols/binance.js'
import { bitstampProtocol } from './protocols/bitstamp.js'
import { coinbaseProtocol } from './protocols/coinbase.js'
import { krakenProtocol } from './protocols/kraken.js'
import type { ClientState, SimProtocol } from './protocols/protocol.js'
import type { TapeTrade } from './tape.js'

/** A malformed frame kind for `sendMalformed`. */
export type MalformedKind = 'garbage' | 'truncated' | 'wrong-types' | 'unknown-type' | 'unknown-symbol'

export function protocolFor(exchange: Exchange, channel: 'trades' | 'aggTrades'): SimProtocol {
  switch (exchange) {
    case 'binance':
      return binanceProtocol(channel === 'aggTrades')
    case 'kraken':
      return krakenProtocol()
    case 'coinbase':
      return coinbaseProtocol()
    case 'bitstamp':
      return bitstampProtocol()
  }
}

/** A frame that breaks the protocol in the way `kind` says, built from a well-formed trade frame. */
export function malformedFrame(kind: MalformedKind, protocol: SimProtocol, state: ClientState, sym: CanonicalSymbol): string {
  const sample: TapeTrade = {
    symbol: sym,
    id: 1,
    priceText: '1.5',
    qtyText: '2.5',
    price: 1.5,
    qty: 2.5,
    side: 'buy',
    ts: 1_700_000_000_000_000,
  }
  const good = protocol.trades({ ...state, sequence: 0 }, [sample])[0] ?? '{}'
  switch (kind) {
    case 'garbage':
      return '{"this is": not json'
    case 'truncated':
      return good.slice(0, Math.floor(good.length / 2))
    case 'wrong-types':
      return good.replaceAll(/"?\b1\.5\b"?/g, '"one and a half"')
    case 'unknown-symbol':
      return good
        .replaceAll(/BTC|btc/g, 'QQQ')
        .replace(sym, 'QQQ9-ZZZ9')
        .replace(sym.replace('-', '/'), 'QQQ9/ZZZ9')
    case 'unknown-type':
      return '{"channel":"brand_new_channel","type":"update","e":"brandNewEvent","event":"brand_new","data":[]}'
  }
}
