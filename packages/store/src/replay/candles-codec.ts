import { bytes, type ChannelCodec, keysOf, numbers, OWN, sortRun } from './channel-codec.js'
import { compareEvents } from './event-order.js'
import type { CandleEvent } from './replay-events.js'

/**
 * gold.ohlcv → `CandleEvent`s at their close (`ts` = start + timeframe): a candle is in the range
 * when its close is, so one starting before `from` but closing after it is yielded, one closing
 * at or after `to` is not. Each file holds one timeframe (the table is partitioned by it).
 */
export const candlesCodec: ChannelCodec<CandleEvent> = {
  table: 'gold.ohlcv',
  columns: [
    'epoch_us(start)::DOUBLE',
    'open',
    'high',
    'low',
    'close',
    'volume',
    'quote_volume',
    'trades::DOUBLE',
    'buy_volume',
    'vwap',
    'complete::UTINYINT',
    "(source = 'exchange')::UTINYINT",
  ].join(', '),
  orderBy: 'start',
  filters(plan, unit, first) {
    const tf = unit.tfMicros as number
    return {
      sql: [
        `timeframe = $${first}`,
        `source = $${first + 1}`,
        `start >= make_timestamp($${first + 2}::BIGINT)::TIMESTAMPTZ`,
        `start < make_timestamp($${first + 3}::BIGINT)::TIMESTAMPTZ`,
      ],
      params: [unit.timeframe as string, plan.candleSource, plan.from - tf, plan.to - tf],
    }
  },
  decode(chunk, unit) {
    const n = chunk.rowCount
    const keys = keysOf(chunk, unit)
    const cols = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => numbers(chunk, OWN + i))
    const [start, open, high, low, close, volume, quoteVolume, trades, buyVolume, vwap] = cols as Float64Array[]
    const complete = bytes(chunk, OWN + 10)
    const exchangeSource = bytes(chunk, OWN + 11)
    const tf = unit.tfMicros as number
    const timeframe = unit.timeframe as CandleEvent['timeframe']
    const out = new Array<CandleEvent>(n)
    for (let i = 0; i < n; i++) {
      const s = start?.[i] as number
      out[i] = {
        type: 'candle',
        ts: s + tf,
        exchange: keys.exchange(i),
        symbol: keys.symbol(i) as CandleEvent['symbol'],
        timeframe,
        start: s,
        open: open?.[i] as number,
        high: high?.[i] as number,
        low: low?.[i] as number,
        close: close?.[i] as number,
        volume: volume?.[i] as number,
        quoteVolume: quoteVolume?.[i] as number,
        trades: trades?.[i] as number,
        buyVolume: buyVolume?.[i] as number,
        vwap: vwap?.[i] as number,
        complete: complete[i] === 1,
        source: exchangeSource[i] === 1 ? 'exchange' : 'trades',
      }
    }
    return out
  },
  tsOf: (c) => c.ts,
  settle(run, out) {
    for (const c of sortRun(run, compareEvents)) out.push(c)
  },
}
