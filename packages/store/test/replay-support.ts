import { type Candle, MICROS_PER_MINUTE, parseTimeframe, type Quote, type Trade } from '@k2/core'
import type { CandleEvent, Lake, ReplayEvent } from '@k2/store'

/**
 * The replay's documented order, written out again independently of the store's comparator, and
 * the rows → events a brute-force replay expects: every row in memory, sorted.
 */
const RANK: Record<ReplayEvent['type'], number> = { disconnect: 0, candle: 1, book_snapshot: 2, book_delta: 2, quote: 3, trade: 4 }

function tie(e: ReplayEvent): (number | string)[] {
  if (e.type === 'trade') return [e.id.length, e.id]
  if (e.type === 'quote') return [e.recvTs, e.bidPrice, e.bidQty, e.askPrice, e.askQty]
  if (e.type === 'candle') return [parseTimeframe(e.timeframe).micros, e.source]
  if (e.type === 'disconnect') return [e.until, e.reason]
  return [e.sequence ?? -1, e.type === 'book_snapshot' ? 0 : 1, e.firstSequence ?? -1, e.recvTs]
}

export function bruteForceOrder(a: ReplayEvent, b: ReplayEvent): number {
  const ka = [a.ts, RANK[a.type], a.exchange, a.symbol ?? '', ...tie(a)]
  const kb = [b.ts, RANK[b.type], b.exchange, b.symbol ?? '', ...tie(b)]
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) < (kb[i] as number) ? -1 : 1
  return 0
}

export const goldRow = (c: Candle) => ({
  exchange: c.exchange,
  symbol: c.symbol,
  timeframe: c.timeframe,
  start: c.start,
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
  quote_volume: c.quoteVolume,
  trades: c.trades,
  buy_volume: c.buyVolume,
  vwap: c.vwap,
  complete: c.complete,
  source: c.source,
})

export const quoteRow = (q: Quote) => ({
  exchange: q.exchange,
  symbol: q.symbol,
  bid_price: q.bidPrice,
  bid_qty: q.bidQty,
  ask_price: q.askPrice,
  ask_qty: q.askQty,
  ts: q.ts,
  recv_ts: q.recvTs,
})

export function candle(exchange: Candle['exchange'], symbol: string, timeframe: Candle['timeframe'], start: number, close: number): Candle {
  return {
    exchange,
    symbol: symbol as Candle['symbol'],
    timeframe,
    start,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 2,
    quoteVolume: 2 * close,
    trades: 3,
    buyVolume: 1,
    vwap: close,
    complete: true,
    source: 'trades',
  }
}

export const candleEvent = (c: Candle): CandleEvent => ({ type: 'candle', ts: c.start + parseTimeframe(c.timeframe).micros, ...c })

/** Every event of a replay, as one array. */
export async function collect(events: AsyncIterable<ReplayEvent>): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = []
  for await (const e of events) out.push(e)
  return out
}

/** A JSON line per event (what "identical" compares). */
export const lines = (events: readonly ReplayEvent[]) => events.map((e) => JSON.stringify(e))

export async function writeTrades(lake: Lake, trades: readonly Trade[]): Promise<void> {
  await (await lake.table('silver.trades')).append(trades)
}

export const MINUTE = MICROS_PER_MINUTE
