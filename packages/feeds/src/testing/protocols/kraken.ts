import type { CanonicalSymbol } from '@k2/core'
import type { TapeTrade } from '../tape.js'
import { type ClientRequest, isoMicros, jsonOrUndefined, type SimProtocol } from './protocol.js'

const LEGACY: Record<string, string> = { BTC: 'XBT', DOGE: 'XDG' }
const natives = new Map<CanonicalSymbol, string>()
function native(s: CanonicalSymbol): string {
  let n = natives.get(s)
  if (n === undefined) {
    n = s.replace('-', '/')
    natives.set(s, n)
  }
  return n
}
const restPair = (s: CanonicalSymbol) =>
  s
    .split('-')
    .map((x) => LEGACY[x] ?? x)
    .join('')

function tradeRow(t: TapeTrade): string {
  // Kraken v2 prints numbers with the pair's full precision, trailing zeros kept.
  return `{"symbol":"${native(t.symbol)}","side":"${t.side}","price":${t.priceText},"qty":${t.qtyText},"ord_type":"limit","trade_id":${t.id},"timestamp":"${isoMicros(t.ts)}"}`
}

const times = () => {
  const now = new Date().toISOString()
  return { time_in: now, time_out: now }
}

/** Kraken WebSocket v2 `trade` channel, heartbeats, status, ping; REST `/0/public/Trades`. */
export function krakenProtocol(): SimProtocol {
  return {
    greeting: () => [
      JSON.stringify({
        channel: 'status',
        type: 'update',
        data: [{ api_version: 'v2', connection_id: 1, system: 'online', version: '2.0.8' }],
      }),
    ],
    read(message): ClientRequest {
      const m = jsonOrUndefined(message)
      const reqId = typeof m?.req_id === 'number' ? m.req_id : undefined
      const params = (m?.params ?? {}) as Record<string, unknown>
      const symbols = Array.isArray(params.symbol) ? params.symbol.filter((s): s is string => typeof s === 'string') : []
      const id = reqId === undefined ? {} : { reqId }
      if (m?.method === 'subscribe' && params.channel === 'trade') return { kind: 'subscribe', symbols, ...id }
      if (m?.method === 'unsubscribe') return { kind: 'unsubscribe', symbols, ...id }
      if (m?.method === 'ping') return { kind: 'ping', ...id }
      return { kind: 'bad', reply: JSON.stringify({ error: 'Malformed request', method: m?.method ?? null, success: false, ...times() }) }
    },
    canonical: (n, tape) => tape.symbols.find((s) => native(s) === n),
    subscribed(_c, known, unknown, reqId, tape) {
      const out: string[] = []
      for (const s of known) {
        out.push(
          JSON.stringify({
            method: 'subscribe',
            req_id: reqId,
            result: { channel: 'trade', snapshot: true, symbol: native(s) },
            success: true,
            ...times(),
          }),
        )
        const recent = tape.trades(s).slice(-50)
        out.push(`{"channel":"trade","type":"snapshot","data":[${recent.map(tradeRow).join(',')}]}`)
      }
      for (const n of unknown)
        out.push(
          JSON.stringify({
            error: `Currency pair not supported ${n}`,
            method: 'subscribe',
            req_id: reqId,
            success: false,
            symbol: n,
            ...times(),
          }),
        )
      return out
    },
    pong: (_c, reqId) => [JSON.stringify({ method: 'pong', req_id: reqId, ...times() })],
    trades: (_c, trades) => [`{"channel":"trade","type":"update","data":[${trades.map(tradeRow).join(',')}]}`],
    heartbeat: (c) => (c.subscribed.size > 0 ? '{"channel":"heartbeat"}' : undefined),
    reconnectRequest: () =>
      JSON.stringify({
        channel: 'status',
        type: 'update',
        data: [{ api_version: 'v2', connection_id: 1, system: 'maintenance', version: '2.0.8' }],
      }),
    rest(path, q, tape) {
      if (path !== '/0/public/Trades') return undefined
      const symbol = tape.symbols.find((s) => restPair(s) === q.get('pair'))
      if (symbol === undefined) return { status: 200, body: JSON.stringify({ error: ['EQuery:Unknown asset pair'] }) }
      // Kraken takes seconds or, like its own `last` cursor, nanoseconds.
      const since = Number(q.get('since') ?? 0)
      const sinceUs = since > 1e15 ? Math.floor(since / 1000) : since * 1_000_000
      const count = Math.min(1000, Number(q.get('count') ?? 1000))
      const rows = tape
        .trades(symbol)
        .filter((t) => t.ts >= sinceUs)
        .slice(0, count)
      const last = rows.length > 0 ? String((rows[rows.length - 1] as TapeTrade).ts * 1000) : String(sinceUs * 1000)
      const body = `{"error":[],"result":{"${q.get('pair')}":[${rows
        .map((t) => `["${t.priceText}","${t.qtyText}",${(t.ts / 1_000_000).toFixed(3)},"${t.side === 'buy' ? 'b' : 's'}","l","",${t.id}]`)
        .join(',')}],"last":"${last}"}}`
      return { status: 200, body }
    },
  }
}
