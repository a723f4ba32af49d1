import { JUPYTER_DISPLAY, type MimeBundle, renderTable } from '@k2/core'
import type { CheckName } from './options.js'

/** What a check counts as one offence: rows, id ranges, buckets or days. */
export type CheckUnit = 'rows' | 'candles' | 'ranges' | 'buckets' | 'days'

/** The outcome of one check on one target. */
export interface CheckResult {
  /** Stable name, e.g. `candle.ohlc-order`. */
  readonly name: CheckName
  /** What was checked: `gold.ohlcv`, `silver.trades`, `bronze.coverage`, `candles` or `trades`. */
  readonly target: string
  readonly passed: boolean
  /** Offences found (in `unit`s). */
  readonly count: number
  readonly unit: CheckUnit
  /** Rows (or buckets, days) examined. */
  readonly checked: number
  /** The first offences, as the offending rows (or a description of the range/bucket). */
  readonly examples: readonly unknown[]
  /** One sentence: the rule, and what broke it or how much held. */
  readonly message: string
}

const singular: Record<CheckUnit, string> = { rows: 'row', candles: 'candle', ranges: 'range', buckets: 'bucket', days: 'day' }

/** `3 rows`, `1 range`. */
export function quantity(n: number, unit: CheckUnit): string {
  return `${n} ${n === 1 ? singular[unit] : unit}`
}

/**
 * The typed answer of `check()`: `ok` when every check passed, `failures` the ones that did not.
 * Prints as a summary line and a table (`toString()`), and shows as HTML tables in a notebook.
 */
export class CheckReport {
  readonly ok: boolean
  readonly checks: readonly CheckResult[]
  readonly failures: readonly CheckResult[]
  /** Snapshot ids read, per lake table (lake targets only), so a run can be repeated `asOf` them. */
  readonly snapshots: Readonly<Record<string, string | null>>

  constructor(checks: readonly CheckResult[], snapshots: Record<string, string | null> = {}) {
    this.checks = checks
    this.failures = checks.filter((c) => !c.passed)
    this.ok = this.failures.length === 0
    this.snapshots = snapshots
  }

  /** One line for the CLI: `check: 7 passed, 2 failed (candle.ohlc-order: 3 rows, trade.id-gap: 1 range)`. */
  summary(): string {
    const passed = this.checks.length - this.failures.length
    const head = `check: ${passed} passed, ${this.failures.length} failed`
    if (this.failures.length === 0) return head
    return `${head} (${this.failures.map((f) => `${f.name}: ${quantity(f.count, f.unit)}`).join(', ')})`
  }

  toString(): string {
    const table = renderTable(this.#rows(), { maxRows: Number.MAX_SAFE_INTEGER, maxCellChars: 120 })['text/plain']
    const examples = this.failures.map((f) => {
      const shown = renderTable(f.examples as unknown[], { maxRows: f.examples.length, maxCellChars: 80, micros: TIME_COLUMNS })
      return `\n${f.name}: ${f.message}\n${shown['text/plain']}`
    })
    return [this.summary(), '', table, ...examples].join('\n')
  }

  toJSON(): { ok: boolean; checks: readonly CheckResult[]; snapshots: Readonly<Record<string, string | null>> } {
    return { ok: this.ok, checks: this.checks, snapshots: this.snapshots }
  }

  /** Deno/Jupyter: the summary, a table of every check, and the first offending rows of each failure. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const main = renderTable(this.#rows(), { maxRows: Number.MAX_SAFE_INTEGER, caption: this.summary() })
    const parts = this.failures.map((f) => {
      const caption = `${f.name}: ${f.message}`
      return renderTable(f.examples as unknown[], { maxRows: f.examples.length, caption, micros: TIME_COLUMNS })['text/html']
    })
    return { 'text/html': [main['text/html'], ...parts].join('\n'), 'text/plain': this.toString() }
  }

  #rows() {
    return this.checks.map((c) => ({
      check: c.name,
      target: c.target,
      result: c.passed ? 'pass' : 'FAIL',
      count: c.count,
      unit: c.unit,
      checked: c.checked,
      message: c.message,
    }))
  }
}

/** Columns of example rows that hold epoch µs, shown as ISO times. */
const TIME_COLUMNS = ['start', 'ts', 'recv_ts', 'recvTs', 'previousTs', 'bucket']

/** Counts one check's offences and keeps the first few. */
export class Tally {
  count = 0
  checked = 0
  readonly examples: unknown[] = []

  constructor(
    readonly name: CheckName,
    readonly target: string,
    readonly unit: CheckUnit,
    readonly limit: number,
  ) {}

  offend(example: unknown, n = 1): void {
    this.count += n
    if (this.examples.length < this.limit) this.examples.push(example)
  }

  /** `rule` says what must hold; `note` adds what was skipped, and why. */
  result(rule: string, note?: string): CheckResult {
    const passed = this.count === 0
    const extra = note ? `; ${note}` : ''
    const what =
      this.checked === 0
        ? `nothing to examine: ${rule}${note ? ` (${note})` : ''}`
        : passed
          ? `all ${this.checked} examined hold: ${rule}${note ? ` (${note})` : ''}`
          : `${quantity(this.count, this.unit)} ${this.count === 1 ? 'breaks' : 'break'}: ${rule} (${this.checked} examined${extra})`
    return {
      name: this.name,
      target: this.target,
      passed,
      count: this.count,
      unit: this.unit,
      checked: this.checked,
      examples: this.examples,
      message: what,
    }
  }
}
