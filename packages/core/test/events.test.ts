import {
  BookDeltaSchema,
  BookSnapshotSchema,
  CandleSchema,
  DeadLetterSchema,
  FeedStatusSchema,
  GapSchema,
  K2Error,
  MarketEventSchema,
  QuoteSchema,
  RawFrameSchema,
  type Trade,
  TradeSchema,
  validate,
} from '@k2/core'
import { describe, expect, it } from 'vitest'

const trade: Trade = {
  type: 'trade',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  id: '42377944',
  price: 9663.63,
  qty: 0.003,
  side: 'sell',
  ts: 1582329602111000,
  recvTs: 1582329602116000,
}

describe('Trade', () => {
  it('accepts a normalized trade', () => {
    expect(TradeSchema.parse(trade)).toEqual(trade)
  })

  it.each([
    ['negative price', { price: -1 }],
    ['zero price', { price: 0 }],
    ['NaN qty', { qty: Number.NaN }],
    ['infinite price', { price: Number.POSITIVE_INFINITY }],
    ['zero qty', { qty: 0 }],
    ['price as string', { price: '9663.63' }],
    ['fractional ts', { ts: 1.5 }],
    ['unsafe ts', { ts: 2 ** 53 }],
    ['side other than buy/sell/unknown', { side: 'bid' }],
    ['unknown exchange', { exchange: 'ftx' }],
    ['lower-case symbol', { symbol: 'btc-usdt' }],
    ['path in symbol', { symbol: '../BTC-USDT' }],
    ['empty id', { id: '' }],
    ['numeric id', { id: 42 }],
    ['wrong type tag', { type: 'quote' }],
  ])('rejects %s', (_name, patch) => {
    expect(TradeSchema.safeParse({ ...trade, ...patch }).success).toBe(false)
  })

  it('rejects a prototype-polluting payload without polluting', () => {
    const hostile = JSON.parse(`{"__proto__": {"polluted": true}, "type": "trade"}`)
    expect(TradeSchema.safeParse(hostile).success).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('validate() turns zod issues into one K2Error naming the fields', () => {
    let error: unknown
    try {
      validate(TradeSchema, { ...trade, price: -1, symbol: 'x' }, 'trade')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(K2Error)
    expect((error as K2Error).code).toBe('VALIDATION')
    expect((error as K2Error).message).toMatch(/^invalid trade: .*price.*symbol|^invalid trade: .*symbol.*price/)
  })
})

describe('books and quotes', () => {
  const book = {
    exchange: 'kraken' as const,
    symbol: 'BTC-USD',
    ts: 1,
    recvTs: 2,
    bids: [[57000.1, 0.5]],
    asks: [[57000.2, 1.25]],
  }

  it('accepts snapshots and deltas; a delta may carry qty 0 to remove a level', () => {
    expect(BookSnapshotSchema.parse({ type: 'book_snapshot', ...book, sequence: 10 }).sequence).toBe(10)
    expect(BookDeltaSchema.parse({ ...book, type: 'book_delta', bids: [[57000.1, 0]], checksum: -12345 }).checksum).toBe(-12345)
  })

  it('rejects malformed levels', () => {
    for (const bids of [[[1]], [[1, 2, 3]], [[-1, 1]], [['1', '2']], [[1, -1]], 'x']) {
      expect(BookSnapshotSchema.safeParse({ type: 'book_snapshot', ...book, bids }).success).toBe(false)
    }
  })

  it('quotes need positive prices', () => {
    const q = { type: 'quote', exchange: 'coinbase', symbol: 'BTC-USD', ts: 1, recvTs: 1, bidPrice: 1, bidQty: 2, askPrice: 3, askQty: 4 }
    expect(QuoteSchema.parse(q)).toEqual(q)
    expect(QuoteSchema.safeParse({ ...q, askPrice: 0 }).success).toBe(false)
  })

  it('the market-event union dispatches on type', () => {
    expect(MarketEventSchema.parse(trade).type).toBe('trade')
    expect(MarketEventSchema.safeParse({ ...trade, type: 'candle' }).success).toBe(false)
  })
})

describe('Candle', () => {
  const candle = {
    exchange: 'bitstamp',
    symbol: 'ETH-USD',
    timeframe: '5m',
    start: 1582329600000000,
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: 3,
    quoteVolume: 31,
    trades: 3,
    buyVolume: 2,
    vwap: 31 / 3,
    complete: true,
    source: 'trades',
  }

  it('accepts a consistent candle', () => {
    expect(CandleSchema.parse(candle)).toEqual(candle)
  })

  it.each([
    ['high below close', { high: 10.5 }],
    ['low above open', { low: 10.5 }],
    ['buyVolume above volume', { buyVolume: 4 }],
    ['bad timeframe', { timeframe: '0m' }],
    ['fractional trade count', { trades: 1.5 }],
  ])('rejects %s', (_name, patch) => {
    expect(CandleSchema.safeParse({ ...candle, ...patch }).success).toBe(false)
  })
})

describe('feed side-channel events', () => {
  it('validate frames, dead letters, gaps and statuses', () => {
    expect(RawFrameSchema.parse({ exchange: 'binance', channel: 'trades', recvTs: 1, connectionId: 0, data: '{}' }).data).toBe('{}')
    expect(DeadLetterSchema.safeParse({ exchange: 'binance', recvTs: 1, raw: '{', errorCode: 'PROTOCOL', errorMessage: 'x' }).success).toBe(
      true,
    )
    expect(
      GapSchema.safeParse({
        exchange: 'kraken',
        symbol: 'BTC-USD',
        fromId: '5',
        toId: '9',
        detectedTs: 1,
        state: 'healed',
        healedBy: 'rest',
      }).success,
    ).toBe(true)
    expect(
      GapSchema.safeParse({ exchange: 'kraken', symbol: 'BTC-USD', fromId: '5', toId: '9', detectedTs: 1, state: 'lost' }).success,
    ).toBe(false)
    expect(
      FeedStatusSchema.safeParse({ exchange: 'coinbase', state: 'subscribed', ts: 1, connectionId: 3, symbols: ['BTC-USD'] }).success,
    ).toBe(true)
  })
})
