import { describe, expect, it } from 'vitest'
import { KrakenAdapter, krakenToCanonical } from '../src/adapters/kraken.js'
import { adapterContract, parseAll } from './adapter-contract.js'
import { fixture } from './helpers.js'

// Real Kraken v1 trade frames (2021-04; see fixtures/README.md): [channelID, [[price, volume, "sec.micros", side, ordType, misc]…], "trade", pair]
const v1Frames = fixture('kraken-v1-trade.jsonl')
type V1Row = [string, string, string, string, string, string]

/** "1617666461.465618" → "2021-04-05T23:47:41.465618Z", exactly, by string arithmetic on the seconds. */
function v1TimeToIso(t: string): string {
  const [sec = '', frac = ''] = t.split('.')
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.padEnd(6, '0')}Z`
}

/**
 * No real v2 frames exist in the data set: derive v2 `trade` frames from the real v1 rows, keeping the
 * price and volume text as v2 prints them (JSON numbers with the pair's precision) and the exact time.
 * v1 has no trade ids, so ids are numbered per pair from an arbitrary start.
 */
const nextId = new Map<string, number>()
const derived = v1Frames.map((line) => {
  const [, rows, , pair] = JSON.parse(line) as [number, V1Row[], string, string]
  const v2pair = pair.replace('XBT', 'BTC')
  const data = rows.map(([price, vol, time, side, ord]) => {
    const id = (nextId.get(pair) ?? 1000) + 1
    nextId.set(pair, id)
    return `{"symbol":"${v2pair}","side":"${side === 'b' ? 'buy' : 'sell'}","price":${price},"qty":${vol},"ord_type":"${ord === 'm' ? 'market' : 'limit'}","trade_id":${id},"timestamp":"${v1TimeToIso(time)}"}`
  })
  return { frame: `{"channel":"trade","type":"update","data":[${data.join(',')}]}`, rows, pair }
})
const docsExample =
  '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":85772.4,"qty":0.00043721,"ord_type":"limit","trade_id":110386729,"timestamp":"2026-10-06T18:14:44.947782Z"},{"symbol":"BTC/USD","side":"buy","price":85772.5,"qty":0.01898593,"ord_type":"limit","trade_id":110386730,"timestamp":"2026-10-06T18:14:45.000000Z"}]}'

adapterContract('kraken v2 (derived from real v1 frames)', {
  make: (symbols) => new KrakenAdapter(symbols ? { symbols } : {}),
  tradeFrames: [...derived.map((d) => d.frame), docsExample],
  symbols: ['BTC-USD', 'DASH-EUR', 'ALGO-BTC'],
  badEdits: [
    ['a price sent as a string', (f) => f.replace(/"price":([\d.]+)/, '"price":"$1"')],
    ['a side that is neither buy nor sell', (f) => f.replace(/"side":"(buy|sell)"/, '"side":"middle"')],
    ['a timestamp that is not RFC 3339', (f) => f.replace(/"timestamp":"[^"]+"/, '"timestamp":"yesterday"')],
    ['a negative trade id', (f) => f.replace(/"trade_id":(\d+)/, '"trade_id":-$1')],
    ['data that is not an array', (f) => f.replace(/"data":\[.*\]\}$/, '"data":{}}')],
  ],
})

describe('kraken v2 adapter', () => {
  it('keeps the real values: price and volume text, taker side, µs time', () => {
    const adapter = new KrakenAdapter()
    for (const d of derived) {
      const r = adapter.parse(d.frame, 1)
      if (r.kind !== 'trades') throw new Error(`expected trades, got ${r.kind}`)
      expect(r.trades).toHaveLength(d.rows.length)
      r.trades.forEach((t, i) => {
        const [price, vol, time, side] = d.rows[i] as V1Row
        const [sec, frac = ''] = time.split('.')
        expect(t.price).toBe(Number(price))
        expect(t.qty).toBe(Number(vol))
        expect(t.side).toBe(side === 'b' ? 'buy' : 'sell')
        expect(t.ts).toBe(Number(sec) * 1_000_000 + Number(frac.padEnd(6, '0')))
        expect(t.symbol).toBe(krakenToCanonical(d.pair))
      })
    }
  })

  it('reads exponent notation and rejects negative prices', () => {
    const a = new KrakenAdapter({ symbols: ['BTC-USD'] })
    expect(a.parse(docsExample.replace('"qty":0.00043721', '"qty":4.3721e-4'), 1)).toMatchObject({
      kind: 'trades',
      trades: [{ qty: 0.00043721 }, {}],
    })
    expect(a.parse(docsExample.replace('"price":85772.4', '"price":-85772.4'), 1).kind).toBe('error')
  })

  it('maps legacy and v2 names: XBT and XDG, but not XRP or tokenised equities', () => {
    expect(krakenToCanonical('XBT/USD')).toBe('BTC-USD')
    expect(krakenToCanonical('BTC/USD')).toBe('BTC-USD')
    expect(krakenToCanonical('XDG/EUR')).toBe('DOGE-EUR')
    expect(krakenToCanonical('XRP/USD')).toBe('XRP-USD')
    expect(krakenToCanonical('ALGO/XBT')).toBe('ALGO-BTC')
    expect(krakenToCanonical('BTCUSD')).toBeUndefined()
  })

  it('marks snapshot trades and reads heartbeats, status, pongs and subscription answers', () => {
    const a = new KrakenAdapter({ symbols: ['BTC-USD'] })
    expect(a.parse(docsExample.replace('"update"', '"snapshot"'), 1)).toMatchObject({ kind: 'trades', snapshot: true })
    expect(a.parse('{"channel":"heartbeat"}', 1)).toEqual({ kind: 'heartbeat' })
    const online =
      '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":14949390454975033707,"system":"online","version":"2.0.8"}]}'
    expect(a.parse(online, 1)).toEqual({ kind: 'heartbeat' })
    expect(a.parse(online.replace('online', 'maintenance'), 1).kind).toBe('reconnect')
    expect(a.parse('{"method":"pong","req_id":101,"time_in":"x","time_out":"y"}', 1)).toEqual({ kind: 'heartbeat' })
    const ok =
      '{"method":"subscribe","req_id":4,"result":{"channel":"trade","snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"a","time_out":"b"}'
    expect(a.parse(ok, 1)).toEqual({ kind: 'ack', reqId: 4, symbols: ['BTC-USD'] })
    const refused =
      '{"error":"Currency pair not supported QQQ/USD","method":"subscribe","req_id":5,"success":false,"symbol":"QQQ/USD","time_in":"a","time_out":"b"}'
    expect(a.parse(refused, 1)).toMatchObject({ kind: 'rejected', reqId: 5, symbols: ['QQQ-USD'], error: { code: 'SUBSCRIPTION' } })
    expect(a.parse('{"channel":"book","type":"update","data":[]}', 1).kind).toBe('ignored')
  })

  it('sends real v1 frames (arrays) to the dead letter: a v2 feed must not misread them', () => {
    const { results } = parseAll(new KrakenAdapter(), v1Frames)
    expect(results.map((r) => r.kind)).toEqual(v1Frames.map(() => 'error'))
  })
})
