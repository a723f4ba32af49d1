/**
 * @k2/feeds/coinbase — the Coinbase adapter alone (pure: no I/O), for parsing recorded frames.
 * @packageDocumentation
 */

export type { AdapterOptions, ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
export { CoinbaseAdapter } from './adapters/coinbase.js'
