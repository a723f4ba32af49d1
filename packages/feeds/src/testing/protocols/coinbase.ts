import type { CanonicalSymbol } from '@k2/core'
import type { TapeTrade } from '../tape.js'
import { type ClientRequest, type ClientState, isoMicros, jsonOrUndefined, type SimProtocol } from './protocol.js'

/** Coinbase prints the maker side. */
const makerSide = (t: TapeTrade) => (t.side === 'buy' ? 'SELL' : 'BUY')
// Coinbase trims trailing zeros from the fraction of trade times.
const cbTime = (us: number) => isoMicros(us).replace(/\.?0+Z$/, 'Z')

function envelope(c: ClientState, channel: string, events: string): string {
  return `{"channel":"${channel}","client_id":"","timestamp":"${new Date().toISOString()}","sequence_num":${c.sequence++},"events":${events}}`
}

function tradesEvent(type: 'snapshot' | 'update', trades: readonly TapeTrade[]): string {
  // Newest first, as Coinbase sends them.
  const rows = [...trades]
    .reverse()
    .map(
      (t) =>
        `{"product_id":"${t.symbol}","trade_id":"${t.id}","price":"${t.priceText}","size":"${t.qtyText}","time":"${cbTime(t.ts)}","side":"${makerSide(t)}"}`,
    )
  return `[{"type":"${type}","trades":[${rows.join(',')}]}]`
}

/** Coinbase Advanced Trade `market_trades` + `heartbeats`; REST history in the Coinbase Exchange shape. */
export function coinbaseProtocol(): SimProtocol {
  let heartbeatCounter = 1000
  return {
    greeting: () => [],
    read(message): ClientRequest {
      const m = jsonOrUndefined(message)
      const symbols = Array.isArray(m?.product_ids) ? m.product_ids.filter((s): s is string => typeof s === 'string') : []
      if (m?.type === 'subscribe' && m.channel === 'heartbeats') return { kind: 'subscribe', symbols: [], heartbeats: true }
      if (m?.type === 'subscribe' && m.channel === 'market_trades') return { kind: 'subscribe', symbols }
      if (m?.type === 'unsubscribe') return { kind: 'unsubscribe', symbols }
      return { kind: 'bad', reply: JSON.stringify({ type: 'error', message: 'Failed to parse request' }) }
    },
    canonical: (n, tape) => tape.symbols.find((s) => s === n),
    subscribed(c, known, unknown, _reqId, tape) {
      if (unknown.length > 0)
        return [JSON.stringify({ type: 'error', message: `Failed to subscribe: ${unknown.join(', ')} is not a valid product` })]
      const out = known.map((s) => envelope(c, 'market_trades', tradesEvent('snapshot', tape.trades(s).slice(-100))))
      const list = (products: Iterable<CanonicalSymbol>) => JSON.stringify([...products])
      const heartbeats = c.heartbeats ? ',"heartbeats":["heartbeats"]' : ''
      out.push(envelope(c, 'subscriptions', `[{"subscriptions":{"market_trades":${list(c.subscribed)}${heartbeats}}}]`))
      return out
    },
    pong: () => [],
    trades: (c, trades) => [envelope(c, 'market_trades', tradesEvent('update', trades))],
    heartbeat: (c) =>
      c.heartbeats
        ? envelope(
            c,
            'heartbeats',
            `[{"current_time":"${new Date().toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC m=+1.0","heartbeat_counter":${heartbeatCounter++}}]`,
          )
        : undefined,
    reconnectRequest: () => undefined,
    rest(path, q, tape) {
      const m = /^\/products\/([A-Z0-9]+-[A-Z0-9]+)\/trades$/.exec(path)
      if (m === null) return undefined
      const symbol = tape.symbols.find((s) => s === m[1])
      if (symbol === undefined) return { status: 404, body: JSON.stringify({ message: 'NotFound' }) }
      const after = Number(q.get('after') ?? Number.MAX_SAFE_INTEGER)
      const limit = Math.min(1000, Number(q.get('limit') ?? 100))
      const rows = tape
        .trades(symbol)
        .filter((t) => t.id < after)
        .slice(-limit)
        .reverse()
        .map((t) => ({ time: isoMicros(t.ts), trade_id: t.id, price: t.priceText, size: t.qtyText, side: makerSide(t).toLowerCase() }))
      return { status: 200, body: JSON.stringify(rows) }
    },
  }
}
