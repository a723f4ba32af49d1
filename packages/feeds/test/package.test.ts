import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

const frame = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1.5","q":"2","T":1,"m":true,"M":true}}'
const parse = (cls: string, f: string) =>
  `JSON.stringify(new m.${cls}().parse(${JSON.stringify(f)}, 5).trades.map(t => [t.symbol, t.id, t.side]))`

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  '.': { expr: `typeof m.openFeed + ' ' + ${parse('BinanceAdapter', frame)}`, prints: 'function [["BTC-USDT","7","sell"]]' },
  './testing': { expr: 'typeof m.startSimulator + " " + new m.Tape("kraken", ["BTC-USD"], 1).next().symbol', prints: 'function BTC-USD' },
  './binance': { expr: parse('BinanceAdapter', frame), prints: '[["BTC-USDT","7","sell"]]' },
  './kraken': {
    expr: parse(
      'KrakenAdapter',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1.5,"qty":2,"ord_type":"limit","trade_id":9,"timestamp":"2026-01-01T00:00:00.000001Z"}]}',
    ),
    prints: '[["BTC-USD","9","buy"]]',
  },
  './coinbase': {
    expr: parse(
      'CoinbaseAdapter',
      '{"channel":"market_trades","timestamp":"2026-01-01T00:00:00Z","sequence_num":1,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"3","price":"1.5","size":"2","time":"2026-01-01T00:00:00.1Z","side":"SELL"}]}]}',
    ),
    prints: '[["BTC-USD","3","buy"]]',
  },
  './bitstamp': {
    expr: parse(
      'BitstampAdapter',
      '{"data":{"id":4,"timestamp":"1","amount":2,"amount_str":"2","price":1.5,"price_str":"1.5","type":1,"microtimestamp":"1000000","buy_order_id":1,"sell_order_id":2},"channel":"live_trades_btcusd","event":"trade"}',
    ),
    prints: '[["BTC-USD","4","sell"]]',
  },
})
