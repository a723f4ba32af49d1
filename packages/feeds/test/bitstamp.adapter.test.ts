import { describe, expect, it } from 'vitest'
import { BitstampAdapter } from '../src/adapters/bitstamp.js'
import { adapterContract, parseAll } from './adapter-contract.js'
import { fixture } from './helpers.js'

// Real live_trades frames from two server versions (2021: sorted keys and ", " separators; 2022: compact).
const frames = fixture('bitstamp-trade.jsonl')
const control = fixture('bitstamp-control.jsonl')

adapterContract('bitstamp live_trades (real frames)', {
  make: (symbols) => new BitstampAdapter(symbols ? { symbols } : {}),
  tradeFrames: frames,
  symbols: ['BTC-USD', 'ETH-EUR', 'LINK-ETH', 'XRP-PAX', 'USDT-USD'],
  badEdits: [
    ['a trade type other than 0 or 1', (f) => f.replace(/"type": ?[01]/, '"type": 2')],
    ['a price string that is not a decimal', (f) => f.replace(/"price_str": ?"[^"]+"/, '"price_str": "abc"')],
    ['a price_str sent as a number', (f) => f.replace(/"price_str": ?"([^"]+)"/, '"price_str": $1')],
    ['a microtimestamp with a fraction', (f) => f.replace(/"microtimestamp": ?"(\d+)"/, '"microtimestamp": "$1.5"')],
    ['an id that is a string', (f) => f.replace(/"id": ?(\d+)/, '"id": "x$1"')],
  ],
})

describe('bitstamp adapter on real frames', () => {
  const { trades } = parseAll(new BitstampAdapter(), frames)
  const raw = frames.map((f) => JSON.parse(f) as { channel: string; data: Record<string, string | number> })

  it('takes price and amount from the exact *_str fields and the time from microtimestamp', () => {
    trades.forEach((t, i) => {
      const d = raw[i]?.data ?? {}
      expect(t.price).toBe(Number(d.price_str))
      expect(t.qty).toBe(Number(d.amount_str))
      expect(t.ts).toBe(Number(d.microtimestamp))
      expect(t.id).toBe(String(d.id))
    })
  })

  it('reads type 0/1 as the taker side, which matches the newer (larger) order id in every real trade', () => {
    trades.forEach((t, i) => {
      const d = raw[i]?.data ?? {}
      const takerBought = Number(d.buy_order_id) > Number(d.sell_order_id)
      expect(t.side).toBe(takerBought ? 'buy' : 'sell')
    })
    expect(new Set(trades.map((t) => t.side))).toEqual(new Set(['buy', 'sell']))
  })

  it('maps pairs from channel names, including USDC, PAX and ETH quotes', () => {
    const symbols = new Set(trades.map((t) => t.symbol))
    for (const s of ['LINK-ETH', 'BTC-USDC', 'XRP-PAX'])
      if (raw.some((r) => r.channel.endsWith(s.replace('-', '').toLowerCase()))) expect(symbols).toContain(s)
    expect([...symbols].every((s) => /^[A-Z0-9]+-[A-Z0-9]+$/.test(s))).toBe(true)
  })

  it('reads the transactions history (newest first, string fields, whole seconds) oldest first', () => {
    const body =
      '[{"date": "1641343722", "tid": "216000507", "amount": "0.50000000", "type": "0", "price": "3801.10"}, {"date": "1641343721", "tid": "216000506", "amount": "2.73248242", "type": "1", "price": "3800.80"}]'
    const trades = new BitstampAdapter().history.parsePage(body, 'ETH-USD', 5)
    expect(trades.map((t) => [t.id, t.price, t.qty, t.side, t.ts])).toEqual([
      ['216000506', 3800.8, 2.73248242, 'sell', 1641343721_000_000],
      ['216000507', 3801.1, 0.5, 'buy', 1641343722_000_000],
    ])
    expect(() =>
      new BitstampAdapter().history.parsePage('[{"date":"1","tid":"2","amount":"1","type":"7","price":"1"}]', 'ETH-USD', 5),
    ).toThrow(/type/)
  })

  it('reads control frames: acks for live_trades, other channels ignored, reconnect requests, errors', () => {
    const a = new BitstampAdapter()
    for (const c of control) expect(a.parse(c, 1).kind).toBe('ignored') // diff_order_book acks: not a trade channel
    expect(a.parse('{"event":"bts:subscription_succeeded","channel":"live_trades_btcusd","data":{}}', 1)).toEqual({
      kind: 'ack',
      symbols: ['BTC-USD'],
    })
    expect(a.parse('{"event":"bts:request_reconnect","channel":"","data":""}', 1).kind).toBe('reconnect')
    expect(a.parse('{"event":"bts:request_reconnect","channel":"","data":{}}', 1).kind).toBe('reconnect')
    expect(a.parse('{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}', 1)).toEqual({ kind: 'heartbeat' })
    const err = a.parse('{"event":"bts:error","channel":"live_trades_qqqusd","data":{"code":null,"message":"Bad subscription string."}}', 1)
    expect(err).toMatchObject({ kind: 'rejected', symbols: ['QQQ-USD'], error: { code: 'SUBSCRIPTION' } })
  })
})
