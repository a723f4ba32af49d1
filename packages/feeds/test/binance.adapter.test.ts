import { describe, expect, it } from 'vitest'
import { BinanceAdapter } from '../src/adapters/binance.js'
import { adapterContract, parseAll } from './adapter-contract.js'
import { fixture } from './helpers.js'

// Real @aggTrade frames (Binance, 2021-04-05; see fixtures/README.md).
const aggFrames = fixture('binance-aggtrade.jsonl')

/**
 * No real raw @trade frames exist in the data set: derive them from the real aggTrade frames, keeping
 * every field's wire text, in the documented @trade layout and key order (t = the aggregate's first trade id).
 */
function deriveTrade(agg: string): string {
  const m = JSON.parse(agg) as { stream: string; data: Record<string, unknown> }
  const d = m.data
  const text = (k: string) => JSON.stringify(d[k])
  return `{"stream":"${m.stream.replace('@aggTrade', '@trade')}","data":{"e":"trade","E":${text('E')},"s":${text('s')},"t":${text('f')},"p":${text('p')},"q":${text('q')},"T":${text('T')},"m":${text('m')},"M":${text('M')}}}`
}
const tradeFrames = aggFrames.map(deriveTrade)

adapterContract('binance @aggTrade (real frames)', {
  make: (symbols) => new BinanceAdapter({ ...(symbols ? { symbols } : {}), channel: 'aggTrades' }),
  tradeFrames: aggFrames,
  symbols: ['ZIL-USDT', 'AXS-BNB', 'ETH-BRL', 'BTC-AUD'],
  badEdits: [
    ['a price that is not a number', (f) => f.replace(/"p":"[^"]+"/, '"p":"abc"')],
    ['a negative quantity', (f) => f.replace(/"q":"/, '"q":"-')],
    ['a price sent as a JSON number', (f) => f.replace(/"p":"([^"]+)"/, '"p":$1')],
    ['a string aggregate id', (f) => f.replace(/"a":(\d+)/, '"a":"x$1"')],
    ['a non-boolean maker flag', (f) => f.replace(/"m":(true|false)/, '"m":"yes"')],
    ['a fractional trade time', (f) => f.replace(/"T":(\d+)/, '"T":$1.5')],
  ],
})

adapterContract('binance @trade (derived from real aggTrade frames)', {
  make: (symbols) => new BinanceAdapter(symbols ? { symbols } : {}),
  tradeFrames,
  symbols: ['ZIL-USDT', 'MANA-USDT', 'QTUM-ETH'],
  badEdits: [
    ['a price that is not a number', (f) => f.replace(/"p":"[^"]+"/, '"p":"1.2.3"')],
    ['a zero quantity', (f) => f.replace(/"q":"[^"]+"/, '"q":"0.00000000"')],
    ['a string trade id', (f) => f.replace(/"t":(\d+)/, '"t":"$1"')],
    ['a null maker flag', (f) => f.replace(/"m":(true|false)/, '"m":null')],
    ['a symbol with no known quote asset', (f) => f.replace(/"s":"[A-Z]+"/, '"s":"QQQQ"')],
  ],
})

describe('binance adapter on real frames', () => {
  it('normalizes aggTrade fields exactly: id = a, taker side from m, ms → µs', () => {
    const { trades } = parseAll(new BinanceAdapter({ channel: 'aggTrades' }), aggFrames)
    // {"a":18938405,"p":"0.21448000","q":"2062.90000000","T":1617647603483,"m":false}
    expect(trades[0]).toMatchObject({ symbol: 'ZIL-USDT', id: '18938405', price: 0.21448, qty: 2062.9, side: 'buy', ts: 1617647603483000 })
    // m = true: the buyer was the maker, so the taker sold.
    expect(trades[1]).toMatchObject({ id: '18938406', side: 'sell' })
  })

  it('finds aggregate ids contiguous per symbol in the real capture', () => {
    const { trades } = parseAll(new BinanceAdapter({ channel: 'aggTrades' }), aggFrames)
    const last = new Map<string, number>()
    for (const t of trades) {
      const prev = last.get(t.symbol)
      if (prev !== undefined) expect(Number(t.id)).toBe(prev + 1)
      last.set(t.symbol, Number(t.id))
    }
    expect(last.size).toBe(6)
  })

  it('reads @trade frames the same on the fast path and through JSON.parse', () => {
    const adapter = new BinanceAdapter()
    for (const f of tradeFrames) {
      const fast = adapter.parse(f, 1)
      const spaced = JSON.stringify(JSON.parse(f), null, 1) // a layout the fast path does not take
      expect(adapter.parse(spaced, 1)).toEqual(fast)
      if (fast.kind === 'trades') expect(fast.trades[0]?.id).toBe(String((JSON.parse(f) as { data: { t: number } }).data.t))
    }
  })

  it('accepts the older @trade layout with buyer and seller order ids', () => {
    const f =
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":123456789,"s":"BTCUSDT","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":123456785,"m":true,"M":true}}'
    const r = new BinanceAdapter().parse(f, 1)
    expect(r).toMatchObject({
      kind: 'trades',
      trades: [{ symbol: 'BTC-USDT', id: '12345', price: 0.001, qty: 100, side: 'sell', ts: 123456785000 }],
    })
  })

  it('reads control messages: acks, ping answers, refusals, serverShutdown, other streams', () => {
    const a = new BinanceAdapter()
    expect(a.parse('{"result":null,"id":3}', 1)).toEqual({ kind: 'ack', reqId: 3 })
    expect(a.parse('{"result":["btcusdt@trade"],"id":4}', 1)).toEqual({ kind: 'heartbeat' })
    const refused = a.parse('{"code":2,"msg":"Invalid request: unknown variant","id":5}', 1)
    expect(refused).toMatchObject({ kind: 'rejected', reqId: 5, error: { code: 'SUBSCRIPTION' } })
    expect(a.parse('{"error":{"code":2,"msg":"bad"},"id":6}', 1)).toMatchObject({ kind: 'rejected', reqId: 6 })
    expect(a.parse('{"e":"serverShutdown","E":1}', 1).kind).toBe('reconnect')
    expect(a.parse(aggFrames[0] as string, 1).kind).toBe('ignored') // aggTrade on a trades feed
    expect(a.parse('{"stream":"btcusdt@depth","data":{"e":"depthUpdate"}}', 1).kind).toBe('ignored')
  })
})
