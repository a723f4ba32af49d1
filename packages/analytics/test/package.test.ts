import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

// Charts load vega and vega-lite (ESM only) by a dynamic import() that the CJS build keeps as one;
// rendering an SVG under every loader proves require('@k2/analytics') can draw too.
const renderThreeCandles = `
  const c = (i) => ({ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1m', start: 1767614400000000 + i * 60e6,
    open: 2, high: 3, low: 0.5, close: i % 2 ? 1 : 2.5, volume: 1, quoteVolume: 2, trades: 1, buyVolume: 0, vwap: 1.5,
    complete: true, source: 'trades' })
  const svg = await m.candlestickSvg([c(0), c(1), c(2)])
  const bodies = svg.match(/role-mark body_marks[^]*?<\\/g>/)[0].match(/fill="#[0-9a-f]+"/g)
  return m.PACKAGE_NAME + ' ' + svg.slice(0, 4) + ' ' + bodies.join(' ')
`

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'renders a candlestick chart to SVG (vega loaded lazily): one body per candle, green up, red down',
      run: renderThreeCandles,
      returns: '@k2/analytics <svg fill="#26a69a" fill="#ef5350" fill="#26a69a"',
      timeoutMs: 30_000,
    },
  },
})
