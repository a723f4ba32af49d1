import { isTableName, TABLE_NAMES, TABLE_SCHEMAS, type Tables } from '@k2/core'
import { describe, expect, expectTypeOf, it } from 'vitest'

describe('lake table schemas', () => {
  it('lists the medallion tables', () => {
    expect(TABLE_NAMES).toEqual([
      'bronze.frames',
      'bronze.dlq',
      'bronze.coverage',
      'silver.trades',
      'silver.book',
      'silver.quotes',
      'gold.ohlcv',
    ])
  })

  it('uses unique snake_case column names', () => {
    for (const [table, cols] of Object.entries(TABLE_SCHEMAS)) {
      const names = cols.map((c) => c.name)
      expect(new Set(names).size, table).toBe(names.length)
      for (const n of names) expect(n, table).toMatch(/^[a-z][a-z0-9_]*$/)
    }
  })

  it('recognises table names without trusting the prototype', () => {
    expect(isTableName('silver.trades')).toBe(true)
    expect(isTableName('toString')).toBe(false)
    expect(isTableName('__proto__')).toBe(false)
    expect(isTableName('silver.trades; drop')).toBe(false)
  })

  it('derives row types from the schemas', () => {
    expectTypeOf<Tables['silver.trades']['price']>().toEqualTypeOf<number>()
    expectTypeOf<Tables['silver.trades']['side']>().toEqualTypeOf<string>()
    expectTypeOf<Tables['bronze.coverage']['symbol']>().toEqualTypeOf<string | null>()
    expectTypeOf<keyof Tables['gold.ohlcv']>().toEqualTypeOf<
      | 'exchange'
      | 'symbol'
      | 'timeframe'
      | 'start'
      | 'open'
      | 'high'
      | 'low'
      | 'close'
      | 'volume'
      | 'quote_volume'
      | 'trades'
      | 'buy_volume'
      | 'vwap'
      | 'complete'
      | 'volume_exact'
      | 'quote_volume_exact'
      | 'buy_volume_exact'
      | 'source'
    >()
  })
})
