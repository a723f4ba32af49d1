import {
  type CanonicalSymbol,
  EXCHANGES,
  isVenue,
  K2Error,
  parseVenue,
  toCanonicalSymbol,
  toNativeSymbol,
  VENUE_INFO,
  VENUES,
  type Venue,
  venueQuotes,
} from '@k2/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

describe('venues of imported data', () => {
  it('include the live exchanges and keep futures apart from spot', () => {
    for (const e of EXCHANGES) expect(isVenue(e)).toBe(true)
    expect(isVenue('binance-futures')).toBe(true)
    expect(parseVenue('bitmex')).toBe('bitmex')
    expect(Object.keys(VENUE_INFO).sort()).toEqual([...VENUES].sort())
  })

  it('refuses an unknown venue, listing the known ones', () => {
    expect(() => parseVenue('binance_futures')).toThrow(K2Error)
    expect(() => parseVenue('binance_futures')).toThrow(/binance-futures, binance-delivery/)
    expect(() => parseVenue(42)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })

  it.each([
    ['bitmex', 'XBTUSD', 'BTC-USD'],
    ['bitmex', 'ETHUSD', 'ETH-USD'],
    ['bitmex', 'XBTUSDT', 'BTC-USDT'],
    ['binance', 'BTCUSDT', 'BTC-USDT'],
    ['binance', 'BTCTUSD', 'BTC-TUSD'],
    ['binance', 'BTCFDUSD', 'BTC-FDUSD'],
    ['binance-futures', 'BTCUSDT', 'BTC-USDT'],
    ['binance-delivery', 'DOTUSD_PERP', 'DOT-USD'],
    ['deribit', 'BTC-PERPETUAL', 'BTC-USD'],
    ['deribit', 'BTC_USDC-PERPETUAL', 'BTC-USDC'],
    ['okex-swap', 'BTC-USDT-SWAP', 'BTC-USDT'],
    ['huobi-dm-swap', 'BTC-USD', 'BTC-USD'],
    ['kraken', 'XBT/USD', 'BTC-USD'],
    ['kraken', 'XXBTZUSD', 'BTC-USD'],
    ['kraken', 'XBTEUR', 'BTC-EUR'],
    ['bitstamp', 'btcusd', 'BTC-USD'],
    ['coinbase', 'BTC-USD', 'BTC-USD'],
  ] as const)('%s %s is %s', (venue, native, canonical) => {
    expect(toCanonicalSymbol(venue, native)).toBe(canonical)
  })

  it.each([
    ['binance-delivery', 'BTCUSD_200925'],
    ['deribit', 'BTC-25SEP20'],
    ['okex', 'BTC-USD-200925'],
    ['binance', 'BTCXYZ'],
    ['bitmex', 'XBTM20'],
  ] as const)('%s %s (a dated contract or unknown quote) maps to nothing', (venue, native) => {
    expect(toCanonicalSymbol(venue, native)).toBeNull()
  })

  it("each venue's quote list is suffix-free, so longest-quote-first splits are unambiguous", () => {
    for (const v of VENUES) {
      const qs = venueQuotes(v)
      for (const a of qs) for (const b of qs) if (a !== b) expect(a.endsWith(b), `${v}: ${a} ends with ${b}`).toBe(false)
    }
  })

  it('canonical → native → canonical round-trips for every venue and every listed quote', () => {
    const asset = fc.stringMatching(/^[A-Z0-9]{1,10}$/)
    const aliased = new Set(['XBT', 'XDG', 'BTC', 'DOGE'])
    const cases = VENUES.flatMap((v) => {
      const qs = venueQuotes(v)
      return (qs.length > 0 ? qs : ['USD', 'USDT', 'EUR']).map((q) => [v, q] as const)
    })
    fc.assert(
      fc.property(fc.constantFrom(...cases), asset, ([venue, quote]: readonly [Venue, string], base) => {
        fc.pre(!aliased.has(base) && base !== quote)
        fc.pre(!(venue === 'kraken' && /^X[A-Z]{3}Z$/.test(base))) // Kraken's legacy XXBTZUSD form
        const symbol = `${base}-${quote}` as CanonicalSymbol
        expect(toCanonicalSymbol(venue, toNativeSymbol(venue, symbol))).toBe(symbol)
      }),
      { numRuns: 2000 },
    )
  })

  it('XBT maps back to BitMEX and Kraken names', () => {
    expect(toNativeSymbol('bitmex', 'BTC-USD')).toBe('XBTUSD')
    expect(toNativeSymbol('deribit', 'BTC-USD')).toBe('BTC-PERPETUAL')
    expect(toNativeSymbol('binance-delivery', 'BTC-USD')).toBe('BTCUSD_PERP')
  })
})
