import { describe, expect, it } from 'vitest'
import { KrakenAdapter, krakenToCanonical } from '../src/adapters/kraken.js'
import { adapterContract, parseAll } from './adapter-contract.js'
import { fixture } from './helpers.js'
import { deriveV2, type V1Row, withSnapshots } from './kraken-v2-frames.js'

// Real Kraken v1 trade frames (2021-04; see fixtures/README.md): [channelID, [[price, volume, "sec.micros", side, ordType, misc]…], "trade", pair]
const v1Frames = fixture('kraken-v1-trade.jsonl')
// No real v2 frames exist: v2 frames derived from the real v1 rows (see kraken-v2-frames.ts).
const derived = deriveV2(v1Frames)
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

  it('returns the trades of a snapshot oldest first, whatever order Kraken lists them in', () => {
    const a = new KrakenAdapter()
    const snapshots = withSnapshots(derived).filter((f) => f.includes('"type":"snapshot"'))
    expect(snapshots.length).toBe(5)
    for (const f of snapshots) {
      const r = a.parse(f, 1)
      if (r.kind !== 'trades') throw new Error(`expected trades, got ${r.kind}`)
      expect(r.snapshot).toBe(true)
      const ids = r.trades.map((t) => Number(t.id))
      expect(ids).toEqual([...ids].sort((x, y) => x - y))
    }
  })

  it('sends real v1 frames (arrays) to the dead letter: a v2 feed must not misread them', () => {
    const { results } = parseAll(new KrakenAdapter(), v1Frames)
    expect(results.map((r) => r.kind)).toEqual(v1Frames.map(() => 'error'))
  })
})
