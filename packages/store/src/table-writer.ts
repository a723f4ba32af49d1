import { K2Error, type TableName } from '@k2/core'
import type { CommitResult, TableCore } from './table-core.js'
import { batchRows } from './write/batch-rows.js'
import { ColumnBatch } from './write/column-batch.js'
import type { WriterInput } from './write/event-rows.js'
import { giveBack } from './write/spare-batches.js'
import { type ObservedWriter, writerMetrics } from './write/writer-metrics.js'

/** Timer functions, injectable so tests drive time-based flushes without waiting. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface WriterOptions {
  /** Commit when this many rows are buffered. Default 100 000. */
  flushRows?: number
  /** Commit buffered rows at most this long after the first one arrived; 0 disables. Default 5 000. */
  flushMs?: number
  scheduler?: Scheduler
  /** Called after each commit. */
  onCommit?: (result: CommitResult) => void
  /**
   * Called when a timed (background) flush fails: rows that can never be committed as they are
   * come back in `error.details.rows`; rows held up by the table or the disk stay buffered for the
   * next flush.
   */
  onError?: (error: K2Error) => void
}

const defaultScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

/**
 * A commit that fails with these codes can never succeed for that batch (a value the lake refuses,
 * a bug, a closed lake): its rows are handed back. Other failures (IO, conflicts, a damaged table)
 * keep the batch for the next flush.
 */
const HAND_BACK = new Set(['VALIDATION', 'INTERNAL', 'CLOSED', 'UNSUPPORTED'])

/**
 * Buffers rows and commits them in batches, on size (`flushRows`) or time (`flushMs`). A row is
 * acknowledged — durable on disk and visible in a snapshot — once a `flush()` that follows its
 * `append()` resolves. Bad rows are rejected by `append()` (the whole call, nothing buffered). A
 * flush tries every buffered batch, so one that fails never blocks the others; a batch that can
 * never commit as it is (VALIDATION, INTERNAL, CLOSED) is handed back in the error's
 * `details.rows` instead of being retried forever.
 */
export class TableWriter<T extends TableName = TableName> {
  readonly #table: TableCore<T>
  readonly #flushRows: number
  readonly #flushMs: number
  readonly #scheduler: Scheduler
  readonly #opts: WriterOptions
  #buffer: ColumnBatch
  /** Batches taken by a flush and not yet committed (a failed commit leaves its batch here). */
  #pending: ColumnBatch[] = []
  #spare: ColumnBatch | null = null
  #chain: Promise<unknown> = Promise.resolve()
  #timer: unknown
  /** Set when close() starts: appends are refused from then on. */
  #closed = false
  /** Set when close() finished: the batches went back to the pool and nothing is left to flush. */
  #retired = false
  #closing: Promise<void> | undefined
  #stats = { appended: 0, committed: 0, duplicates: 0, commits: 0 }
  readonly #observed: ObservedWriter

  constructor(table: TableCore<T>, opts: WriterOptions = {}) {
    const flushRows = opts.flushRows ?? 100_000
    const flushMs = opts.flushMs ?? 5_000
    if (!Number.isSafeInteger(flushRows) || flushRows < 1)
      throw new K2Error('VALIDATION', `flushRows must be a positive integer, got ${flushRows}`)
    if (!Number.isFinite(flushMs) || flushMs < 0)
      throw new K2Error('VALIDATION', `flushMs must be >= 0 (0 disables timed flushes), got ${flushMs}`)
    this.#table = table
    this.#flushRows = flushRows
    this.#flushMs = flushMs
    this.#scheduler = opts.scheduler ?? defaultScheduler
    this.#opts = opts
    this.#buffer = table.newBatch(this.#batchCapacity())
    this.#observed = { table: table.name, buffered: () => this.stats().buffered }
    writerMetrics.opened(this.#observed)
  }

  /** Rows appended, committed, dropped as duplicates, and commits made so far. */
  stats(): Readonly<{ appended: number; committed: number; duplicates: number; commits: number; buffered: number }> {
    return { ...this.#stats, buffered: this.#buffer.length + this.#pending.reduce((n, b) => n + b.length, 0) }
  }

  /** Buffers rows (or core events, see `WriterInput`); flushes when `flushRows` is reached. */
  async append(input: readonly WriterInput<T>[]): Promise<void> {
    if (this.#closed) throw new K2Error('CLOSED', `the writer of ${this.#table.name} is closed: create a new one with table.writer()`)
    const before = this.#buffer.length
    this.#table.addTo(this.#buffer, input)
    this.#stats.appended += this.#buffer.length - before
    if (this.#buffer.length >= this.#flushRows) await this.flush()
    else if (this.#buffer.length > 0 && this.#timer === undefined && this.#flushMs > 0) {
      this.#timer = this.#scheduler.setTimeout(() => {
        this.#timer = undefined
        this.flush().catch((err) => this.#opts.onError?.(K2Error.from(err, 'IO')))
      }, this.#flushMs)
    }
  }

  /** Commits everything buffered so far; resolves once it is durable (null when nothing was buffered). */
  flush(): Promise<CommitResult | null> {
    const next = this.#chain.then(() => this.#flushNow())
    this.#chain = next.catch(() => {})
    return next
  }

  async #flushNow(): Promise<CommitResult | null> {
    if (this.#retired) return null // its batches went back to the pool
    if (this.#timer !== undefined) {
      this.#scheduler.clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#buffer.length > 0) {
      this.#pending.push(this.#buffer)
      this.#buffer = this.#spare ?? this.#table.newBatch(this.#batchCapacity())
      this.#spare = null
    }
    let total: CommitResult | null = null
    let failure: K2Error | undefined
    // Every pending batch is tried: one that fails never holds back the others.
    for (const batch of [...this.#pending]) {
      let result: CommitResult
      const started = performance.now()
      try {
        result = await this.#table.commitBatch(batch)
      } catch (err) {
        const error = K2Error.from(err, 'INTERNAL')
        writerMetrics.failed(this.#table.name, performance.now() - started, error.code)
        if (!HAND_BACK.has(error.code)) {
          failure ??= error // kept: a later flush retries it (the table or the disk is the problem)
          continue
        }
        // It cannot be committed as it is: its rows go back to the caller, and the writer goes on.
        const rows = batchRows(batch)
        this.#drop(batch)
        failure ??= new K2Error(
          error.code,
          `${rows.length} rows for ${this.#table.name} could not be committed and are handed back in error.details.rows (the writer goes on with other rows): ${error.message}`,
          { cause: error, details: { ...error.details, table: this.#table.name, rows } },
        )
        continue
      }
      writerMetrics.committed(this.#table.name, performance.now() - started, result)
      this.#drop(batch)
      this.#stats.committed += result.rows
      this.#stats.duplicates += result.duplicates
      this.#stats.commits += result.snapshotId === null ? 0 : 1
      this.#opts.onCommit?.(result)
      total = total
        ? {
            snapshotId: result.snapshotId ?? total.snapshotId,
            rows: total.rows + result.rows,
            duplicates: total.duplicates + result.duplicates,
            files: total.files + result.files,
          }
        : result
    }
    if (failure) throw failure
    return total
  }

  /** Takes a batch off the queue; two batches take turns (fresh megabyte arrays per flush drove GC). */
  #drop(batch: ColumnBatch): void {
    this.#pending.splice(this.#pending.indexOf(batch), 1)
    if (this.#spare === null && this.#pending.length === 0) {
      batch.clear()
      this.#spare = batch
    }
  }

  /** Room for a full batch up front (bounded, so a huge `flushRows` does not reserve memory early). */
  #batchCapacity(): number {
    return Math.min(this.#flushRows, 1 << 20)
  }

  /** Flushes and closes the writer. */
  close(): Promise<void> {
    // One close for every caller: two overlapping closes must not hand the same batch back twice.
    this.#closing ??= this.#close().catch((err) => {
      this.#closing = undefined // rows stay pending; close() may be called again
      throw err
    })
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#closed = true // an append racing the final flush is refused, not left behind
    try {
      await this.flush()
    } catch (err) {
      if (this.#pending.length > 0) throw err // rows still pending: close() may be called again
      this.#retire()
      throw err // rows were handed back in the error
    }
    this.#retire()
  }

  #retire(): void {
    this.#retired = true
    writerMetrics.closed(this.#observed)
    // Empty now: the next writer of this table may reuse their arrays.
    for (const b of [this.#buffer, this.#spare]) if (b && b.length === 0) giveBack(b)
    this.#spare = null
    this.#buffer = new ColumnBatch(this.#table.spec, 0) // never look at a batch another writer may own
  }
}
