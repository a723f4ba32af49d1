import { type Clock, K2Error, type Micros, parseTimeframe, showValue, systemClock, type Timeframe } from '@k2/core'

/** Every check `check()` knows, by its stable name (part of the public API: match on it). */
export const CHECK_NAMES = [
  'candle.ohlc-order',
  'candle.vwap-range',
  'candle.non-negative',
  'candle.buy-volume',
  'candle.volume-trades',
  'candle.aligned',
  'candle.unique',
  'candle.future',
  'candle.rollup',
  'trade.duplicate-id',
  'trade.id-gap',
  'trade.ts-order',
  'trade.price-jump',
  'trade.cross-exchange',
  'coverage.day-complete',
] as const

export type CheckName = (typeof CHECK_NAMES)[number]

/** Options of `check()`; every threshold has a default (see docs/checks.md). */
export interface CheckOptions {
  /** Run only these checks (default: every check that applies to the target). */
  checks?: readonly CheckName[]
  /** Leave these checks out. */
  skip?: readonly CheckName[]
  /** Offending rows kept per check in `examples`. Default 5. */
  examples?: number
  /** The current time (epoch µs, or a clock) for `candle.future`. Default: the system clock. */
  now?: Micros | Clock
  /** Bucket offset in µs that candles were built with (one for all, or per timeframe). Default 0. */
  offset?: Micros | Partial<Record<Timeframe, Micros>>
  /** `candle.rollup`: the [lower, higher] timeframe pairs to compare (default: each higher timeframe against the largest present one that divides it). */
  rollup?: { pairs?: readonly (readonly [Timeframe, Timeframe])[] }
  /** `trade.ts-order`: how far (µs) a trade may be earlier than the one before it by id. Default 1000 (1 ms). */
  tsOrder?: { toleranceUs?: number }
  /** `trade.id-gap`: exchanges whose ids are sequential per symbol. Default binance, kraken, coinbase (Bitstamp's ids are global). */
  idGap?: { exchanges?: readonly string[] }
  /** `trade.price-jump`: robust deviations (scaled MAD of a day's log returns) and the smallest |log return| reported. Defaults 10 and 0.005. */
  priceJump?: { deviations?: number; minReturn?: number }
  /** `trade.cross-exchange`: relative spread across exchanges, the bucket width and the price per bucket. Defaults 0.01, '1m', 'median'. */
  divergence?: { tolerance?: number; timeframe?: Timeframe; price?: 'median' | 'last' }
}

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions {
  enabled: (name: CheckName) => boolean
  examples: number
  now: Micros
  offsetOf: (timeframe: Timeframe) => Micros
  pairs: readonly (readonly [Timeframe, Timeframe])[] | undefined
  tsToleranceUs: number
  idGapExchanges: ReadonlySet<string>
  jumpDeviations: number
  jumpMinReturn: number
  divergenceTolerance: number
  divergenceWidth: Micros
  divergencePrice: 'median' | 'last'
}

function fail(message: string, value: unknown): never {
  throw new K2Error('VALIDATION', message, { details: { value } })
}

function names(list: unknown, key: string): ReadonlySet<CheckName> | undefined {
  if (list === undefined) return undefined
  if (!Array.isArray(list)) fail(`check() option ${key} must be a list of check names, e.g. ['candle.ohlc-order']`, list)
  for (const n of list) {
    if (!(CHECK_NAMES as readonly unknown[]).includes(n))
      fail(`check() option ${key}: unknown check ${showValue(n)}; known checks: ${CHECK_NAMES.join(', ')}`, n)
  }
  return new Set(list as CheckName[])
}

function num(value: unknown, key: string, fallback: number, test: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !test(value)) fail(`check() option ${key} must be ${rule}, got ${showValue(value)}`, value)
  return value
}

const nonNegInt = (n: number) => Number.isSafeInteger(n) && n >= 0
const positive = (n: number) => Number.isFinite(n) && n > 0
const nonNeg = (n: number) => Number.isFinite(n) && n >= 0

export function resolveOptions(opts: CheckOptions = {}): ResolvedOptions {
  if (typeof opts !== 'object' || opts === null) fail('check() options must be an object, e.g. { examples: 10 }', opts)
  const only = names(opts.checks, 'checks')
  const skip = names(opts.skip, 'skip') ?? new Set()
  const now = typeof opts.now === 'function' ? opts.now() : (opts.now ?? systemClock())
  num(now, 'now', 0, Number.isSafeInteger, 'epoch µs (a safe integer) or a clock returning them')
  const offset = opts.offset ?? 0
  if (typeof offset === 'number') num(offset, 'offset', 0, Number.isSafeInteger, 'a whole number of µs')
  else if (typeof offset !== 'object' || offset === null) fail('check() option offset must be µs or { [timeframe]: µs }', offset)
  else {
    for (const [tf, us] of Object.entries(offset)) {
      parseTimeframe(tf)
      num(us, `offset.${tf}`, 0, Number.isSafeInteger, 'a whole number of µs')
    }
  }
  const pairs = opts.rollup?.pairs
  if (pairs !== undefined) {
    if (!Array.isArray(pairs)) fail("check() option rollup.pairs must be a list of [lower, higher] timeframes, e.g. [['1m', '5m']]", pairs)
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2) fail("each rollup pair must be [lower, higher], e.g. ['1m', '1h']", p)
      const [lo, hi] = [parseTimeframe(p[0]), parseTimeframe(p[1])]
      if (hi.micros <= lo.micros || hi.micros % lo.micros !== 0)
        fail(`rollup pair [${p[0]}, ${p[1]}]: the higher timeframe must be a whole multiple of the lower one`, p)
    }
  }
  const price = opts.divergence?.price ?? 'median'
  if (price !== 'median' && price !== 'last')
    fail(`check() option divergence.price must be 'median' or 'last', got ${showValue(price)}`, price)
  const exchanges = opts.idGap?.exchanges ?? ['binance', 'kraken', 'coinbase']
  if (!Array.isArray(exchanges)) fail("check() option idGap.exchanges must be a list of exchanges, e.g. ['binance']", exchanges)
  return {
    enabled: (name) => (only === undefined || only.has(name)) && !skip.has(name),
    examples: num(opts.examples, 'examples', 5, nonNegInt, 'a whole number ≥ 0'),
    now,
    offsetOf: (tf) => (typeof offset === 'number' ? offset : (offset[tf] ?? 0)),
    pairs,
    tsToleranceUs: num(opts.tsOrder?.toleranceUs, 'tsOrder.toleranceUs', 1000, nonNeg, 'a number of µs ≥ 0'),
    idGapExchanges: new Set(exchanges),
    jumpDeviations: num(opts.priceJump?.deviations, 'priceJump.deviations', 10, positive, 'a number > 0'),
    jumpMinReturn: num(opts.priceJump?.minReturn, 'priceJump.minReturn', 0.005, nonNeg, 'a number ≥ 0'),
    divergenceTolerance: num(opts.divergence?.tolerance, 'divergence.tolerance', 0.01, nonNeg, 'a relative tolerance ≥ 0, e.g. 0.01'),
    divergenceWidth: parseTimeframe(opts.divergence?.timeframe ?? '1m').micros,
    divergencePrice: price,
  }
}
