import { loadavg } from 'node:os'
import { BinanceAdapter, BitstampAdapter, CoinbaseAdapter, type ExchangeAdapter, KrakenAdapter } from '@k2/feeds'
import { Tape, type TapeTrade } from '@k2/feeds/testing'
import { normalizeTrades } from 'tardis-dev'
import { compare, type Row } from './harness.js'

// Parsing trade frames into normalized trades. Frames are generated in each exchange's documented
// layout and key order, as the real streams send them, from a seeded random walk. Each adapter reads
// frames of that layout without JSON.parse (a layout regex, then values at fixed offsets); any other
// frame goes through JSON.parse, so the floor to beat is JSON.parse of the same frames.
const N = 50_000
const iso = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`

function trades(exchange: 'binance' | 'kraken' | 'coinbase' | 'bitstamp', symbols: string[]): TapeTrade[] {
  const tape = new Tape(exchange, symbols, 7)
  return Array.from({ length: N }, () => tape.next())
}

const FRAMES = {
  binance: trades('binance', ['BTC-USDT', 'ETH-USDT', 'SOL-USDT']).map((t) => {
    const ms = Math.floor(t.ts / 1000)
    const s = t.symbol.replace('-', '')
    return `{"stream":"${s.toLowerCase()}@trade","data":{"e":"trade","E":${ms + 1},"s":"${s}","t":${t.id},"p":"${t.priceText}","q":"${t.qtyText}","T":${ms},"m":${t.side === 'sell'},"M":true}}`
  }),
  kraken: trades('kraken', ['BTC-USD', 'ETH-USD', 'SOL-USD']).map(
    (t) =>
      `{"channel":"trade","type":"update","data":[{"symbol":"${t.symbol.replace('-', '/')}","side":"${t.side}","price":${t.priceText},"qty":${t.qtyText},"ord_type":"limit","trade_id":${t.id},"timestamp":"${iso(t.ts)}"}]}`,
  ),
  coinbase: trades('coinbase', ['BTC-USD', 'ETH-USD', 'SOL-USD']).map(
    (t, i) =>
      `{"channel":"market_trades","client_id":"","timestamp":"${iso(t.ts)}","sequence_num":${i},"events":[{"type":"update","trades":[{"product_id":"${t.symbol}","trade_id":"${t.id}","price":"${t.priceText}","size":"${t.qtyText}","time":"${iso(t.ts)}","side":"${t.side === 'buy' ? 'SELL' : 'BUY'}"}]}]}`,
  ),
  bitstamp: trades('bitstamp', ['BTC-USD', 'ETH-USD', 'SOL-USD']).map(
    (t) =>
      `{"data":{"id":${t.id},"timestamp":"${Math.floor(t.ts / 1e6)}","amount":${t.qty},"amount_str":"${t.qtyText}","price":${t.price},"price_str":"${t.priceText}","type":${t.side === 'buy' ? 0 : 1},"microtimestamp":"${t.ts}","buy_order_id":1443875826053121,"sell_order_id":1443875826118657},"channel":"live_trades_${t.symbol.replace('-', '').toLowerCase()}","event":"trade"}`,
  ),
}

function jsonParseAlone(frames: readonly string[]): () => number {
  return () => {
    let n = 0
    for (const f of frames) if (JSON.parse(f) !== null) n++
    return n
  }
}

/** The machine's load average around a comparison (2 shared cores: compare ratios, not milliseconds). */
function loadNote(): () => string {
  const before = loadavg()[0] ?? 0
  return () =>
    `Load average (1 min) before and after: ${before.toFixed(1)}, ${(loadavg()[0] ?? 0).toFixed(1)}, on 2 cores shared with other work.`
}

/** Binance: K2 against JSON.parse alone too (the rows' ratios are against tardis-dev). */
function binanceNote(): (rows: Row[]) => string {
  const load = loadNote()
  return (rows) => {
    const k2 = rows.find((r) => r.name.startsWith('K2'))
    const json = rows.find((r) => r.name.startsWith('JSON.parse'))
    const vsJson = k2 && json ? (json.medianMs / k2.medianMs).toFixed(2) : '?'
    return `K2 BinanceAdapter.parse ÷ JSON.parse alone: ${vsJson}×. ${load()}`
  }
}

function runAdapter(adapter: ExchangeAdapter, frames: readonly string[]): () => number {
  return () => {
    let n = 0
    for (const f of frames) {
      const r = adapter.parse(f, 1_767_225_600_000_000)
      if (r.kind === 'trades') n += r.trades.length
    }
    if (n !== frames.length) throw new Error(`expected ${frames.length} trades, got ${n}`)
    return n
  }
}

export default async function (): Promise<void> {
  // tardis-dev's mapper takes parsed messages: JSON.parse is part of its cost, as it is of ours.
  const localTimestamp = new Date()
  await compare({
    id: 'feeds-parse-binance',
    title: 'feeds: Binance @trade frames → normalized trades (vs tardis-dev)',
    unit: 'frames',
    target: '≥ 3× tardis-dev normalizeTrades("binance"), and ≥ 1.0× JSON.parse alone',
    samples: 31, // the machines are shared and noisy: more interleaved samples, a steadier median
    note: binanceNote(),
    reference: {
      name: 'tardis-dev normalizeTrades("binance") + JSON.parse',
      units: N,
      run: () => {
        const mapper = normalizeTrades('binance', localTimestamp)
        let n = 0
        for (const f of FRAMES.binance) {
          const msg = JSON.parse(f)
          if (mapper.canHandle(msg)) for (const _t of mapper.map(msg, localTimestamp) ?? []) n++
        }
        if (n !== N) throw new Error(`tardis-dev mapped ${n} of ${N}`)
        return n
      },
    },
    // Constructed as a feed constructs it: with the feed's symbols.
    subjects: [
      {
        name: 'K2 BinanceAdapter.parse',
        units: N,
        run: runAdapter(new BinanceAdapter({ symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'] }), FRAMES.binance),
      },
      { name: 'JSON.parse alone (no validation, no normalization)', units: N, run: jsonParseAlone(FRAMES.binance) },
    ],
  })
  // Every adapter, against the floor any JSON adapter pays: JSON.parse of the same frames.
  for (const [exchange, adapter] of [
    ['kraken', new KrakenAdapter({ symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] })],
    ['coinbase', new CoinbaseAdapter({ symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] })],
    ['bitstamp', new BitstampAdapter({ symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] })],
  ] as const) {
    const frames = FRAMES[exchange]
    const name = `K2 ${exchange[0]?.toUpperCase()}${exchange.slice(1)}Adapter.parse`
    await compare({
      id: `feeds-parse-${exchange}`,
      title: `feeds: ${exchange} trade frames → normalized trades`,
      unit: 'frames',
      target: '≥ 1.0× JSON.parse of the same frames',
      samples: 31,
      note: loadNote(),
      reference: { name: 'JSON.parse alone (no validation, no normalization)', units: N, run: jsonParseAlone(frames) },
      subjects: [{ name, units: N, run: runAdapter(adapter, frames) }],
    })
  }
}
