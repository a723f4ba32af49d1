import { K2Error, showValue, toIso } from '@k2/core'
import { type CandleInput, type CandleRow, toCandleRow } from './candle-row.js'
import { type CandleKey, type FieldDifference, RECONCILE_FIELDS, type ReconcileField, ReconcileReport } from './reconcile-report.js'

/** How far two values may be apart and still agree: within `abs` or within `rel` (of the reference). Default exact. */
export interface Tolerance {
  abs?: number
  rel?: number
}

export interface ReconcileOptions {
  /** Tolerance for every field (default exact: `{ abs: 0, rel: 0 }`). */
  tolerance?: Tolerance
  /** Tolerance per field, over `tolerance`, e.g. `{ vwap: { rel: 1e-9 } }`. */
  fieldTolerance?: Partial<Record<ReconcileField, Tolerance>>
  /** Fields to compare (default all: open, high, low, close, volume, quoteVolume, buyVolume, trades, vwap). */
  fields?: readonly ReconcileField[]
  /** Match on (symbol, timeframe, start) only, to reconcile one exchange's candles against another's. */
  acrossExchanges?: boolean
}

function checkTolerance(t: unknown, where: string): Required<Tolerance> {
  if (t === undefined) return { abs: 0, rel: 0 }
  const r = t as Tolerance
  const ok = (v: unknown) => v === undefined || (typeof v === 'number' && v >= 0 && !Number.isNaN(v))
  if (typeof t !== 'object' || t === null || !ok(r.abs) || !ok(r.rel))
    throw new K2Error(
      'VALIDATION',
      `reconcile() option ${where} must be { abs?, rel? } with numbers ≥ 0, e.g. { rel: 1e-9 }; got ${showValue(t)}`,
    )
  return { abs: r.abs ?? 0, rel: r.rel ?? 0 }
}

function rowsOf(input: Iterable<CandleInput>, side: string, keyOf: (c: CandleRow) => string): Map<string, CandleRow> {
  if (input === null || typeof input !== 'object' || !(Symbol.iterator in input))
    throw new K2Error('VALIDATION', `reconcile() takes two arrays (or iterables) of candles; the ${side} side is ${showValue(input)}`)
  const out = new Map<string, CandleRow>()
  let i = 0
  for (const x of input) {
    const c = toCandleRow(x, `${side} candle ${i++}`)
    const k = keyOf(c)
    if (out.has(k)) {
      throw new K2Error(
        'VALIDATION',
        `reconcile(): the ${side} side has two candles for ${c.exchange} ${c.symbol} ${c.timeframe} ${toIso(c.start)}; remove duplicates first (check() reports them as candle.unique)`,
      )
    }
    out.set(k, c)
  }
  return out
}

const keyOfCandle = (c: CandleRow): CandleKey => ({ exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe, start: c.start })
const byKey = (a: CandleKey, b: CandleKey) =>
  a.symbol.localeCompare(b.symbol) || a.exchange.localeCompare(b.exchange) || a.timeframe.localeCompare(b.timeframe) || a.start - b.start

/**
 * Matches candles by (exchange, symbol, timeframe, start) and reports every field that differs
 * beyond the tolerance (both values, absolute and relative difference) and every candle only one
 * side has. `computed` are K2's candles; `reference` another source's, typically the exchange's
 * klines (`source: 'exchange'`). With `acrossExchanges`, two exchanges' candles of the same symbol.
 *
 * ```ts
 * const ours = await lake.query('gold.ohlcv').where({ source: 'trades', timeframe: '1m' }).rows()
 * const theirs = await lake.query('gold.ohlcv').where({ source: 'exchange', timeframe: '1m' }).rows()
 * reconcile(ours, theirs).summary() // 'reconcile: 1440 matched, 0 differences, 0 missing from reference, 0 missing from computed'
 * ```
 */
export function reconcile(computed: Iterable<CandleInput>, reference: Iterable<CandleInput>, opts: ReconcileOptions = {}): ReconcileReport {
  if (typeof opts !== 'object' || opts === null)
    throw new K2Error('VALIDATION', 'reconcile() options must be an object, e.g. { tolerance: { rel: 1e-9 } }')
  const base = checkTolerance(opts.tolerance, 'tolerance')
  const fields = opts.fields ?? RECONCILE_FIELDS
  for (const f of fields) {
    if (!(RECONCILE_FIELDS as readonly unknown[]).includes(f))
      throw new K2Error('VALIDATION', `reconcile() option fields: unknown field ${showValue(f)}; fields are ${RECONCILE_FIELDS.join(', ')}`)
  }
  const tolerance = new Map(
    fields.map((f) => [f, opts.fieldTolerance?.[f] === undefined ? base : checkTolerance(opts.fieldTolerance[f], `fieldTolerance.${f}`)]),
  )
  const keyOf = (c: CandleRow) => `${opts.acrossExchanges ? '' : c.exchange}\0${c.symbol}\0${c.timeframe}\0${c.start}`
  const ours = rowsOf(computed, 'computed', keyOf)
  const theirs = rowsOf(reference, 'reference', keyOf)
  const differences: FieldDifference[] = []
  const missingFromReference: CandleKey[] = []
  let matched = 0
  for (const [k, c] of ours) {
    const r = theirs.get(k)
    if (!r) {
      missingFromReference.push(keyOfCandle(c))
      continue
    }
    matched++
    for (const field of fields) {
      const a = c[field]
      const b = r[field]
      if (Object.is(a, b)) continue
      const absDiff = Math.abs(a - b)
      const relDiff = b === 0 ? Number.POSITIVE_INFINITY : absDiff / Math.abs(b)
      const tol = tolerance.get(field) as Required<Tolerance>
      if (absDiff <= tol.abs || relDiff <= tol.rel) continue
      differences.push({ ...keyOfCandle(c), field, computed: a, reference: b, referenceExchange: r.exchange, absDiff, relDiff })
    }
  }
  const missingFromComputed = [...theirs].filter(([k]) => !ours.has(k)).map(([, r]) => keyOfCandle(r))
  differences.sort((a, b) => byKey(a, b) || fields.indexOf(a.field) - fields.indexOf(b.field))
  return new ReconcileReport(matched, differences, missingFromReference.sort(byKey), missingFromComputed.sort(byKey))
}
