/**
 * @k2/feeds/binance — the Binance adapter alone (pure: no I/O), for parsing recorded frames.
 * @packageDocumentation
 */

export type { AdapterOptions, ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
export { BinanceAdapter } from './adapters/binance.js'
