import {
  EXCHANGES,
  formatSymbol,
  isExchange,
  isSymbol,
  K2Error,
  parseExchange,
  parseSymbol,
  parseTimeframe,
  SymbolSchema,
  validateSymbol,
} from '@k2/core'
import { describe, expect, it } from 'vitest'

describe('canonical symbols', () => {
  it('parses and formats BASE-QUOTE', () => {
    expect(parseSymbol('BTC-USDT')).toEqual({ base: 'BTC', quote: 'USDT', symbol: 'BTC-USDT' })
    expect(formatSymbol('ETH', 'USD')).toBe('ETH-USD')
    expect(isSymbol('1INCH-USDT')).toBe(true)
  })

  it.each([
    'btc-usdt',
    'BTC/USDT',
    'BTC_USDT',
    'BTCUSDT',
    'BTC-',
    '-USDT',
    'BTC-USD-T',
    '../etc/passwd',
    'BTC-..',
    'BTC-USD\u0000',
    'BTC\u2010USD', // unicode hyphen look-alike
    'ВТС-USD', // Cyrillic look-alikes
    ' BTC-USD',
    'ABCDEFGHIJKLMNOP-USD',
    `${'A'.repeat(15)}-${'B'.repeat(15)}X`,
    '',
  ])('rejects %j with a message naming the value and the form', (bad) => {
    expect(isSymbol(bad)).toBe(false)
    let error: unknown
    try {
      validateSymbol(bad)
    } catch (e) {
      error = e
    }
    expect(K2Error.isInstance(error)).toBe(true)
    const e = error as K2Error
    expect(e.code).toBe('VALIDATION')
    expect(e.message).toContain(JSON.stringify(bad).slice(0, 10))
    expect(e.message).toContain('BASE-QUOTE')
  })

  it('rejects non-strings', () => {
    for (const bad of [undefined, null, 42, {}, ['BTC-USD']]) expect(() => validateSymbol(bad)).toThrowError(K2Error)
  })

  it('has a zod schema that agrees', () => {
    expect(SymbolSchema.safeParse('BTC-USD').success).toBe(true)
    expect(SymbolSchema.safeParse('btc-usd').success).toBe(false)
    expect(SymbolSchema.safeParse(7).success).toBe(false)
  })

  it('caps what the message echoes back', () => {
    expect(() => validateSymbol('A'.repeat(10_000))).toThrowError(/…/)
  })
})

describe('exchanges', () => {
  it('knows the four exchanges', () => {
    expect(EXCHANGES).toEqual(['binance', 'kraken', 'coinbase', 'bitstamp'])
    expect(isExchange('kraken')).toBe(true)
    expect(isExchange('Kraken')).toBe(false)
    expect(() => parseExchange('ftx')).toThrowError(/unknown exchange "ftx"/)
  })
})

describe('messages about values JSON cannot print', () => {
  it('never throw a TypeError instead of the K2Error', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const bad of [10n, Symbol('x'), cyclic, () => 1]) {
      expect(() => validateSymbol(bad)).toThrowError(K2Error)
      expect(() => parseExchange(bad)).toThrowError(K2Error)
      expect(() => parseTimeframe(bad)).toThrowError(K2Error)
    }
    expect(() => parseTimeframe(10n)).toThrowError(/invalid timeframe 10n/)
  })
})
