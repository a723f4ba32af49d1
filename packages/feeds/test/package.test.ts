import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

const frame = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1.5","q":"2","T":1,"m":true,"M":true}}'
const parse = (cls: string, f: string) =>
  `return JSON.stringify(new m.${cls}().parse(${JSON.stringify(f)}, 5).trades.map(t => [t.symbol, t.id, t.side]))`

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'opens a feed on a simulated Binance and receives its first trade',
      load: { feeds: '@k2/feeds', testing: '@k2/feeds/testing' },
      run: `
        const sim = await testing.startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'] })
        const feed = feeds.openFeed({ exchange: 'binance', symbols: ['BTC-USDT'], url: sim.url, restUrl: sim.restUrl })
        try {
          for (let i = 0; sim.subscribers() === 0; i++) {
            if (i > 500) throw new Error('the feed did not subscribe within 5 s')
            await new Promise((r) => setTimeout(r, 10))
          }
          const [printed] = sim.publish(1)
          for await (const t of feed) return [t.type, t.exchange, t.symbol, t.id === String(printed.id), t.price === printed.price].join(' ')
        } finally {
          await feed.close()
          await sim.close()
        }`,
      returns: 'trade binance BTC-USDT true true',
    },
    './testing': {
      does: 'starts a simulated Binance and serves the trades it printed from its REST history',
      run: `
        const sim = await m.startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'] })
        try {
          const printed = sim.publish(3)
          const res = await fetch(sim.restUrl + '/api/v3/historicalTrades?symbol=BTCUSDT&limit=10')
          const rows = await res.json()
          return [res.status, rows.length, rows.map((r) => r.id).join() === printed.map((t) => t.id).join()].join(' ')
        } finally {
          await sim.close()
        }`,
      returns: '200 3 true',
    },
    './binance': { does: 'parses a trade frame', run: parse('BinanceAdapter', frame), returns: '[["BTC-USDT","7","sell"]]' },
    './kraken': {
      does: 'parses a trade frame',
      run: parse(
        'KrakenAdapter',
        '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1.5,"qty":2,"ord_type":"limit","trade_id":9,"timestamp":"2026-01-01T00:00:00.000001Z"}]}',
      ),
      returns: '[["BTC-USD","9","buy"]]',
    },
    './coinbase': {
      does: 'parses a trade frame',
      run: parse(
        'CoinbaseAdapter',
        '{"channel":"market_trades","timestamp":"2026-01-01T00:00:00Z","sequence_num":1,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"3","price":"1.5","size":"2","time":"2026-01-01T00:00:00.1Z","side":"SELL"}]}]}',
      ),
      returns: '[["BTC-USD","3","buy"]]',
    },
    './bitstamp': {
      does: 'parses a trade frame',
      run: parse(
        'BitstampAdapter',
        '{"data":{"id":4,"timestamp":"1","amount":2,"amount_str":"2","price":1.5,"price_str":"1.5","type":1,"microtimestamp":"1000000","buy_order_id":1,"sell_order_id":2},"channel":"live_trades_btcusd","event":"trade"}',
      ),
      returns: '[["BTC-USD","4","sell"]]',
    },
  },
})
