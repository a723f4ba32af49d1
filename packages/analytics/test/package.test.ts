import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

// Charts load vega and vega-lite (ESM only) by a dynamic import() that the CJS build keeps as one;
// rendering an SVG under every loader proves require('@k2/analytics') can draw too; candles and a
// check() run there as well.
const renderThreeCandles = `
  const c = (i) => ({ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1m', start: 1767614400000000 + i * 60e6,
    open: 2, high: 3, low: 0.5, close: i % 2 ? 1 : 2.5, volume: 1, quoteVolume: 2, trades: 1, buyVolume: 0, vwap: 1.5,
    complete: true, source: 'trades' })
  const svg = await m.candlestickSvg([c(0), c(1), c(2)])
  const bodies = svg.match(/role-mark body_marks[^]*?<\\/g>/)[0].match(/fill="#[0-9a-f]+"/g)
  const t = (id, price, qty, s) => ({ exchange: 'binance', symbol: 'BTC-USDT', id, price, qty, side: 'buy', ts: 1767614400000000 + s * 1e6 })
  const made = m.ohlcv([t('1', 0.1, 0.1, 1), t('2', 0.2, 0.2, 2), t('3', 0.3, 0.1, 61)], '1m')
  const ok = (await m.check(made)).ok
  return m.PACKAGE_NAME + ' ' + svg.slice(0, 4) + ' ' + bodies.join(' ') + ' | ' + made.map((c) => c.volumeExact).join(',') + ' ' + ok
`

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'renders a candlestick chart to SVG (vega loaded lazily): one body per candle, green up, red down; candles from trades with exact volumes pass check()',
      run: renderThreeCandles,
      returns: '@k2/analytics <svg fill="#26a69a" fill="#ef5350" fill="#26a69a" | 0.3,0.1 true',
      timeoutMs: 30_000,
    },
  },
})
