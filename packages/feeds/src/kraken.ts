/**
 * @k2/feeds/kraken — the Kraken adapter alone (pure: no I/O), for parsing recorded frames.
 * @packageDocumentation
 */

export type { AdapterOptions, ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
export { KrakenAdapter } from './adapters/kraken.js'
