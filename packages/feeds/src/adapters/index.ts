import { type Exchange, K2Error } from '@k2/core'
import type { AdapterOptions, ExchangeAdapter } from './adapter.js'
import { BinanceAdapter } from './binance.js'
import { BitstampAdapter } from './bitstamp.js'
import { CoinbaseAdapter } from './coinbase.js'
import { KrakenAdapter } from './kraken.js'

/** A new adapter for `exchange`. */
export function createAdapter(exchange: Exchange, options: AdapterOptions = {}): ExchangeAdapter {
  switch (exchange) {
    case 'binance':
      return new BinanceAdapter(options)
    case 'kraken':
      return new KrakenAdapter(options)
    case 'coinbase':
      return new CoinbaseAdapter(options)
    case 'bitstamp':
      return new BitstampAdapter(options)
    default:
      throw new K2Error('VALIDATION', `no adapter for exchange ${JSON.stringify(exchange)}: expected binance, kraken, coinbase or bitstamp`)
  }
}
