import { type Candle, K2Error, type ParsedTimeframe, parseTimeframe, showValue, type Tables } from '@k2/core'

/** A candle as `check()` and `reconcile()` take it: a core `Candle`, or a `gold.ohlcv` row as a lake query returns it. */
export type CandleInput = Candle | Tables['gold.ohlcv']

/** One shape for both inputs; `raw` is the row as given (shown in examples). */
export interface CandleRow {
  exchange: string
  symbol: string
  timeframe: string
  tf: ParsedTimeframe
  start: number
  open: number
  high: number
  low: number
  close: number
  volume: number
  quoteVolume: number
  buyVolume: number
  trades: number
  vwap: number
  complete: boolean
  source: string
  volumeExact: string | null
  quoteVolumeExact: string | null
  buyVolumeExact: string | null
  raw: unknown
}

const timeframes = new Map<string, ParsedTimeframe>()

function timeframeOf(value: unknown, where: string): ParsedTimeframe {
  const key = String(value)
  let tf = timeframes.get(key)
  if (!tf) {
    try {
      tf = parseTimeframe(value)
    } catch (err) {
      throw new K2Error('VALIDATION', `${where}: ${(err as Error).message}`, { cause: err })
    }
    if (timeframes.size < 1024) timeframes.set(key, tf)
  }
  return tf
}

// Values that are not numbers become NaN, which the checks report rather than throw on.
const n = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NaN)
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** True for a row with the columns of a candle in either spelling. */
export function looksLikeCandle(x: unknown): boolean {
  return typeof x === 'object' && x !== null && 'open' in x && 'timeframe' in x && 'start' in x
}

/** Normalizes one input candle; `where` names it in errors ("candle 3"). */
export function toCandleRow(x: unknown, where: string): CandleRow {
  if (!looksLikeCandle(x)) {
    throw new K2Error(
      'VALIDATION',
      `${where} is not a candle (${showValue(x)}): pass core Candles or gold.ohlcv rows, with exchange, symbol, timeframe, start, open, high, low, close, …`,
    )
  }
  const r = x as Record<string, unknown>
  if (typeof r.exchange !== 'string' || typeof r.symbol !== 'string' || !Number.isSafeInteger(r.start)) {
    throw new K2Error('VALIDATION', `${where} needs exchange and symbol strings and start as epoch µs, got ${showValue(x)}`)
  }
  const snake = 'quote_volume' in r
  const tf = timeframeOf(r.timeframe, where)
  return {
    exchange: r.exchange,
    symbol: r.symbol,
    timeframe: tf.timeframe,
    tf,
    start: r.start as number,
    open: n(r.open),
    high: n(r.high),
    low: n(r.low),
    close: n(r.close),
    volume: n(r.volume),
    quoteVolume: n(snake ? r.quote_volume : r.quoteVolume),
    buyVolume: n(snake ? r.buy_volume : r.buyVolume),
    trades: n(r.trades),
    vwap: n(r.vwap),
    complete: r.complete !== false,
    source: s(r.source) ?? 'trades',
    volumeExact: s(r.volume_exact),
    quoteVolumeExact: s(r.quote_volume_exact),
    buyVolumeExact: s(r.buy_volume_exact),
    raw: x,
  }
}
