/**
 * @k2/feeds/bitstamp — the Bitstamp adapter alone (pure: no I/O), for parsing recorded frames.
 * @packageDocumentation
 */

export type { AdapterOptions, ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
export { BitstampAdapter } from './adapters/bitstamp.js'
