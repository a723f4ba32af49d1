import type { CanonicalSymbol } from '@k2/core'
import { type ClientRequest, type ClientState, jsonOrUndefined, type SimProtocol } from './protocol.js'

const PREFIX = 'live_trades_'
const native = (s: CanonicalSymbol) => s.replace('-', '').toLowerCase()

/** Bitstamp v2 `live_trades_<pair>`, `bts:heartbeat`, `bts:request_reconnect`. */
export function bitstampProtocol(): SimProtocol {
  return {
    greeting: () => [],
    read(message): ClientRequest {
      const m = jsonOrUndefined(message)
      const data = (m?.data ?? {}) as Record<string, unknown>
      const channel = typeof data.channel === 'string' ? data.channel : ''
      const pair = channel.startsWith(PREFIX) ? channel.slice(PREFIX.length) : undefined
      if (m?.event === 'bts:subscribe' && pair !== undefined) return { kind: 'subscribe', symbols: [pair] }
      if (m?.event === 'bts:unsubscribe' && pair !== undefined) return { kind: 'unsubscribe', symbols: [pair] }
      if (m?.event === 'bts:heartbeat') return { kind: 'ping' }
      return {
        kind: 'bad',
        reply: JSON.stringify({ event: 'bts:error', channel, data: { code: null, message: 'Bad subscription string.' } }),
      }
    },
    canonical: (n, tape) => tape.symbols.find((s) => native(s) === n),
    subscribed: (_c: ClientState, known, unknown) => [
      ...known.map((s) => JSON.stringify({ event: 'bts:subscription_succeeded', channel: `${PREFIX}${native(s)}`, data: {} })),
      ...unknown.map((n) =>
        JSON.stringify({ event: 'bts:error', channel: `${PREFIX}${n}`, data: { code: null, message: 'Bad subscription string.' } }),
      ),
    ],
    pong: () => [JSON.stringify({ event: 'bts:heartbeat', channel: '', data: { status: 'success' } })],
    trades: (_c, trades) =>
      trades.map((t) => {
        const sec = Math.floor(t.ts / 1_000_000)
        const buy = t.side === 'buy'
        const older = 1_400_000_000_000_000 + t.id * 4
        return `{"data":{"id":${t.id},"timestamp":"${sec}","amount":${Number(t.qtyText)},"amount_str":"${t.qtyText}","price":${Number(t.priceText)},"price_str":"${t.priceText}","type":${buy ? 0 : 1},"microtimestamp":"${t.ts}","buy_order_id":${buy ? older + 1 : older},"sell_order_id":${buy ? older : older + 1}},"channel":"${PREFIX}${native(t.symbol)}","event":"trade"}`
      }),
    heartbeat: () => undefined,
    reconnectRequest: () => JSON.stringify({ event: 'bts:request_reconnect', channel: '', data: '' }),
    rest(path, _q, tape) {
      const m = /^\/api\/v2\/transactions\/([a-z0-9]+)\/$/.exec(path)
      if (m === null) return undefined
      const symbol = tape.symbols.find((s) => native(s) === m[1])
      if (symbol === undefined) return { status: 404, body: JSON.stringify({ status: 'error', reason: 'Not found' }) }
      const trades = tape.trades(symbol)
      const newest = trades[trades.length - 1]?.ts ?? 0
      const rows = trades
        .filter((t) => t.ts > newest - 3_600_000_000)
        .reverse()
        .map((t) => ({
          date: String(Math.floor(t.ts / 1_000_000)),
          tid: String(t.id),
          amount: t.qtyText,
          type: t.side === 'buy' ? '0' : '1',
          price: t.priceText,
        }))
      return { status: 200, body: JSON.stringify(rows) }
    },
  }
}
