import type { CanonicalSymbol } from '@k2/core'
import type { TapeTrade } from '../tape.js'
import { type ClientRequest, jsonOrUndefined, type SimProtocol } from './protocol.js'

/** Binance Spot combined streams (`/stream`), `@trade` or `@aggTrade` payloads in Binance's key order. */
export function binanceProtocol(agg: boolean): SimProtocol {
  const suffix = agg ? '@aggTrade' : '@trade'
  const native = (s: CanonicalSymbol) => s.replace('-', '')
  return {
    greeting: () => [],
    read(message): ClientRequest {
      const m = jsonOrUndefined(message)
      const reqId = typeof m?.id === 'number' ? m.id : undefined
      const params = Array.isArray(m?.params) ? m.params.filter((p): p is string => typeof p === 'string') : []
      const streams = params.filter((p) => p.endsWith(suffix)).map((p) => p.slice(0, -suffix.length).toUpperCase())
      if (m?.method === 'SUBSCRIBE' && streams.length === params.length)
        return { kind: 'subscribe', symbols: streams, ...(reqId === undefined ? {} : { reqId }) }
      if (m?.method === 'UNSUBSCRIBE') return { kind: 'unsubscribe', symbols: streams, ...(reqId === undefined ? {} : { reqId }) }
      if (m?.method === 'LIST_SUBSCRIPTIONS') return { kind: 'ping', ...(reqId === undefined ? {} : { reqId }) }
      return {
        kind: 'bad',
        reply: JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown method or stream' }, id: reqId ?? null }),
      }
    },
    canonical: (n, tape) => tape.symbols.find((s) => native(s) === n),
    // Like the real server: a well-formed stream name for a symbol that does not exist is accepted and stays silent.
    subscribed: (_c, _known, _unknown, reqId) => [JSON.stringify({ result: null, id: reqId ?? null })],
    pong: (client, reqId) => [
      JSON.stringify({ result: [...client.subscribed].map((s) => `${native(s).toLowerCase()}${suffix}`), id: reqId ?? null }),
    ],
    trades: (_c, trades) =>
      trades.map((t) => {
        const stream = `${native(t.symbol).toLowerCase()}${suffix}`
        const ms = Math.floor(t.ts / 1000)
        const body = agg
          ? `{"e":"aggTrade","E":${ms + 1},"s":"${native(t.symbol)}","a":${t.id},"p":"${t.priceText}","q":"${t.qtyText}","f":${t.id * 2},"l":${t.id * 2 + 1},"T":${ms},"m":${t.side === 'sell'},"M":true}`
          : `{"e":"trade","E":${ms + 1},"s":"${native(t.symbol)}","t":${t.id},"p":"${t.priceText}","q":"${t.qtyText}","T":${ms},"m":${t.side === 'sell'},"M":true}`
        return `{"stream":"${stream}","data":${body}}`
      }),
    heartbeat: () => undefined, // Binance pings at the WebSocket level; the simulator does too
    reconnectRequest: () => JSON.stringify({ e: 'serverShutdown', E: Date.now() }),
    rest(path, q, tape) {
      const symbol = tape.symbols.find((s) => native(s) === q.get('symbol'))
      if (path !== '/api/v3/historicalTrades' && path !== '/api/v3/aggTrades') return undefined
      if (symbol === undefined) return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) }
      const from = Number(q.get('fromId') ?? 0)
      const limit = Math.min(1000, Number(q.get('limit') ?? 500))
      const rows = tape
        .trades(symbol)
        .filter((t: TapeTrade) => t.id >= from)
        .slice(0, limit)
      const body =
        path === '/api/v3/aggTrades'
          ? rows.map((t) => ({
              a: t.id,
              p: t.priceText,
              q: t.qtyText,
              f: t.id * 2,
              l: t.id * 2 + 1,
              T: Math.floor(t.ts / 1000),
              m: t.side === 'sell',
              M: true,
            }))
          : rows.map((t) => ({
              id: t.id,
              price: t.priceText,
              qty: t.qtyText,
              quoteQty: (t.price * t.qty).toFixed(8),
              time: Math.floor(t.ts / 1000),
              isBuyerMaker: t.side === 'sell',
              isBestMatch: true,
            }))
      return { status: 200, body: JSON.stringify(body) }
    },
  }
}
