import type { Candle, Exchange, MarketEvent, Micros } from '@k2/core'

/**
 * What a replay yields besides core's market events: candles at the time they became known, and
 * markers where the recording has a hole.
 */

/**
 * A candle, yielded at its close: `ts` = `start` + the timeframe's width, the first instant at which
 * every trade in it was known. A strategy reads `ts` as "now", exactly as for a trade; `start` stays
 * the bucket start, as in gold.ohlcv.
 */
export type CandleEvent = { type: 'candle'; ts: Micros } & Candle

/**
 * The recording has a hole from `ts` to `until` (like tardis-dev's `disconnect` message), from
 * bronze.coverage: `reason: 'disconnected'` between two connected intervals of an exchange
 * (`symbol` null: every symbol of it), `reason: 'gap'` for a trade-id gap that was never healed
 * (`fromId`..`toId` missing, `symbol` set). Trades, quotes and books may be missing in between.
 */
export interface DisconnectEvent {
  type: 'disconnect'
  exchange: Exchange
  symbol: string | null
  ts: Micros
  until: Micros
  reason: 'disconnected' | 'gap'
  fromId?: string
  toId?: string
}

/** Everything a replay yields: one stream, ordered as `docs/replay.md` says. */
export type ReplayEvent = MarketEvent | CandleEvent | DisconnectEvent
