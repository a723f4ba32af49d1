import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle, renderTable } from '@k2/core'

/** The candle fields `reconcile()` compares. */
export const RECONCILE_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'buyVolume', 'trades', 'vwap'] as const
export type ReconcileField = (typeof RECONCILE_FIELDS)[number]

/** Which candle: the matching key. `exchange` is each side's own when matching across exchanges. */
export interface CandleKey {
  exchange: string
  symbol: string
  timeframe: string
  start: number
}

/** One field of one candle that differs beyond the tolerance. */
export interface FieldDifference extends CandleKey {
  field: ReconcileField
  computed: number
  reference: number
  /** The reference side's exchange (differs from `exchange` only across exchanges). */
  referenceExchange: string
  /** |computed − reference| */
  absDiff: number
  /** absDiff / |reference| (Infinity when the reference is 0 and computed is not). */
  relDiff: number
}

/**
 * What `reconcile()` found: every field that differs, and the candles only one side has. `ok` when
 * there are none of either.
 */
export class ReconcileReport {
  readonly ok: boolean
  /** Candles found on both sides. */
  readonly matched: number
  readonly differences: readonly FieldDifference[]
  /** Differences per field. */
  readonly byField: Readonly<Partial<Record<ReconcileField, number>>>
  /** In `computed`, not in the reference (e.g. a minute the exchange has no kline for). */
  readonly missingFromReference: readonly CandleKey[]
  /** In the reference, not in `computed` (e.g. a minute K2 has no trades for: an outage). */
  readonly missingFromComputed: readonly CandleKey[]

  constructor(matched: number, differences: FieldDifference[], missingFromReference: CandleKey[], missingFromComputed: CandleKey[]) {
    this.matched = matched
    this.differences = differences
    this.missingFromReference = missingFromReference
    this.missingFromComputed = missingFromComputed
    const byField: Partial<Record<ReconcileField, number>> = {}
    for (const d of differences) byField[d.field] = (byField[d.field] ?? 0) + 1
    this.byField = byField
    this.ok = differences.length === 0 && missingFromReference.length === 0 && missingFromComputed.length === 0
  }

  /** One line: `reconcile: 1440 matched, 3 differences (close: 2, volume: 1), 2 missing from reference, 0 missing from computed`. */
  summary(): string {
    const fields = Object.entries(this.byField).map(([f, n]) => `${f}: ${n}`)
    const diffs = `${this.differences.length} difference${this.differences.length === 1 ? '' : 's'}${fields.length ? ` (${fields.join(', ')})` : ''}`
    return `reconcile: ${this.matched} matched, ${diffs}, ${this.missingFromReference.length} missing from reference, ${this.missingFromComputed.length} missing from computed`
  }

  toString(): string {
    return this.#parts()
      .map(([title, bundle]) => (title ? `\n${title}\n${bundle['text/plain']}` : bundle['text/plain']))
      .join('\n')
  }

  toJSON() {
    const { ok, matched, differences, byField, missingFromReference, missingFromComputed } = this
    return { ok, matched, differences, byField, missingFromReference, missingFromComputed }
  }

  /** Deno/Jupyter: the summary and the first rows of each list. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      'text/html': this.#parts()
        .map(([, b]) => b['text/html'])
        .join('\n'),
      'text/plain': this.toString(),
    }
  }

  #parts(): [string, MimeBundle][] {
    const micros = ['start']
    const parts: [string, MimeBundle][] = [['', { 'text/html': `<p>${escapeHtml(this.summary())}</p>`, 'text/plain': this.summary() }]]
    if (this.differences.length) parts.push(['differences', renderTable(this.differences, { micros, caption: 'differences' })])
    if (this.missingFromReference.length)
      parts.push(['missing from reference', renderTable(this.missingFromReference, { micros, caption: 'missing from reference' })])
    if (this.missingFromComputed.length)
      parts.push(['missing from computed', renderTable(this.missingFromComputed, { micros, caption: 'missing from computed' })])
    return parts
  }
}
