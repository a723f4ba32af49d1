import {
  type Clock,
  type DeadLetter,
  type FeedEventMap,
  K2Error,
  type MarketEventSource,
  type RawFrame,
  systemClock,
  type TableName,
} from '@k2/core'
import { CoverageTracker } from './coverage-tracker.js'
import type { LakeTable } from './lake-table.js'
import type { CommitResult } from './table-core.js'
import type { Scheduler, TableWriter, WriterOptions } from './table-writer.js'
import { MAX_TIME_US, MIN_TIME_US } from './write/value-rules.js'

export interface PipeOptions {
  /** Stops the pipe (closing the source) when aborted; everything received so far is committed. */
  signal?: AbortSignal
  /** Writer batch size. Default 100 000. */
  flushRows?: number
  /** Writer flush interval. Default 5 000 ms. */
  flushMs?: number
  scheduler?: Scheduler
  /** Time source for closing intervals still open at the end; default the system clock. */
  clock?: Clock
  /** Observes each commit of each table (monitoring: what is acknowledged, and when). */
  onCommit?: (table: TableName, result: CommitResult) => void
  /** Observes a timed (background) flush that failed; its rows stay buffered for the next flush or are handed back. */
  onError?: (table: TableName, error: K2Error) => void
}

export interface PipeStats {
  frames: number
  deadLetters: number
  trades: number
  /** Trades dropped because the lake already had them (e.g. replayed after a reconnect). */
  duplicateTrades: number
  bookUpdates: number
  /** Top-of-book changes written to silver.quotes. */
  quotes: number
  coverageRows: number
  gaps: number
}

/** The lake `pipe` writes to (a `Lake`). */
export interface PipeLake {
  table<T extends TableName>(name: T): Promise<LakeTable<T>>
}

/**
 * Writes a feed into the lake until it ends or `signal` aborts: raw frames → bronze.frames,
 * dead letters → bronze.dlq, trades → silver.trades (deduplicated), books → silver.book (one row per
 * level), top-of-book quotes → silver.quotes, and the
 * feed's connection/subscription/gap history → bronze.coverage. Takes any `MarketEventSource`
 * (core's contract), so the store never depends on the feeds package. Resolves with counts once
 * every buffered row is committed.
 */
export async function pipe(source: MarketEventSource, lake: PipeLake, opts: PipeOptions = {}): Promise<PipeStats> {
  // Take the stream and attach the listeners before the first await: a feed delivers events from the
  // moment it connects, and whatever arrived while the tables were opening would otherwise be lost.
  const events = source[Symbol.asyncIterator]()
  const writerOpts = { flushRows: opts.flushRows, flushMs: opts.flushMs, scheduler: opts.scheduler }
  const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
  const open = async <T extends TableName>(name: T, extra: Partial<WriterOptions> = {}) =>
    (await lake.table(name)).writer(
      clean({
        ...writerOpts,
        onError: opts.onError && ((e: K2Error) => opts.onError?.(name, e)),
        ...extra,
        onCommit: (r: CommitResult) => {
          extra.onCommit?.(r)
          opts.onCommit?.(name, r)
        },
      }),
    )
  const ready = (async () => ({
    frames: await open('bronze.frames'),
    dlq: await open('bronze.dlq'),
    // Each trade commit also checkpoints coverage, so open intervals reach the lake as the data does.
    trades: await open('silver.trades', { onCommit: () => checkpoint() }),
    book: await open('silver.book'),
    quotes: await open('silver.quotes'),
    coverage: await open('bronze.coverage'),
  }))()
  const now = opts.clock ?? systemClock
  const tracker = new CoverageTracker()
  const stats: PipeStats = { frames: 0, deadLetters: 0, trades: 0, duplicateTrades: 0, bookUpdates: 0, quotes: 0, coverageRows: 0, gaps: 0 }
  let failure: unknown
  // Side-channel rows wait for the writers in arrival order (promise callbacks run in order).
  const pending = new Set<Promise<unknown>>()
  const later = (write: (w: Awaited<typeof ready>) => Promise<unknown>) => {
    const p = ready.then(write).catch((err) => {
      failure ??= err
    })
    pending.add(p)
    void p.finally(() => pending.delete(p))
  }
  const writeCoverage = (end: boolean) => {
    const rows = tracker.take(end, end ? (opts.clock ?? systemClock)() : undefined)
    stats.coverageRows += rows.length
    if (rows.length > 0) later(({ coverage }) => coverage.append(rows))
  }
  function checkpoint(): void {
    tracker.checkpoint()
    const rows = tracker.take()
    stats.coverageRows += rows.length
    // committed with the trades they describe, so a crash loses no more coverage than data
    if (rows.length > 0) later(({ coverage }) => coverage.append(rows).then(() => coverage.flush()))
  }
  const onFrame = (f: RawFrame) => {
    stats.frames++
    later(({ frames }) => frames.append([f]))
  }
  const onDlq = (d: DeadLetter) => {
    stats.deadLetters++
    later(({ dlq }) => dlq.append([d]))
  }
  const onStatus = (s: FeedEventMap['status']) => {
    tracker.status(s)
    writeCoverage(false)
  }
  const onGap = (g: FeedEventMap['gap']) => {
    stats.gaps++
    tracker.gap(g)
    writeCoverage(false)
  }
  source.on('frame', onFrame)
  source.on('dlq', onDlq)
  source.on('status', onStatus)
  source.on('gap', onGap)
  const abort = () => {
    void source.close()
  }
  opts.signal?.addEventListener('abort', abort, { once: true })
  if (opts.signal?.aborted) abort()
  let writers: Awaited<typeof ready> | undefined
  try {
    writers = await ready
    const { dlq, trades, book, quotes } = writers
    for (;;) {
      // No break on abort: abort closes the source, which ends iteration after the events it
      // already buffered, so everything the exchange delivered reaches the lake.
      const next = await events.next()
      if (next.done) break
      const ev = next.value
      if (ev.type === 'trade') {
        stats.trades++
        if (await appendOrDeadLetter(trades, [ev], ev, dlq, stats, now)) tracker.trade(ev)
      } else if (ev.type === 'book_snapshot' || ev.type === 'book_delta') {
        stats.bookUpdates++
        await appendOrDeadLetter(book, [ev], ev, dlq, stats, now)
      } else if (ev.type === 'quote') {
        stats.quotes++
        await appendOrDeadLetter(quotes, [ev], ev, dlq, stats, now)
      }
      if (failure) break
    }
  } catch (err) {
    failure ??= err
  } finally {
    opts.signal?.removeEventListener('abort', abort)
    source.off('frame', onFrame)
    source.off('dlq', onDlq)
    source.off('status', onStatus)
    source.off('gap', onGap)
    if (failure) await events.return?.()
    writeCoverage(true)
    if (writers) {
      await Promise.all(pending) // side-channel rows reach their writers before the writers close
      // Coverage closes last: the trade writer's final commit may still queue a checkpoint for it.
      const { coverage, ...data } = writers
      const results = await Promise.allSettled(Object.values(data).map((w) => w.close()))
      await Promise.all(pending)
      results.push(...(await Promise.allSettled([coverage.close()])))
      for (const r of results) if (r.status === 'rejected') failure ??= r.reason
    }
  }
  stats.duplicateTrades = writers?.trades.stats().duplicates ?? 0
  if (failure) throw K2Error.from(failure, 'IO', `pipe could not write to the lake: ${(failure as Error).message ?? String(failure)}`)
  return stats
}

/** A normalized event that fails the table schema goes to bronze.dlq instead of stopping the pipe. */
async function appendOrDeadLetter<W extends TableWriter>(
  writer: W,
  rows: Parameters<W['append']>[0],
  ev: { exchange: string; recvTs: number },
  dlq: TableWriter<'bronze.dlq'>,
  stats: PipeStats,
  now: Clock,
): Promise<boolean> {
  try {
    await writer.append(rows)
    return true
  } catch (err) {
    if (!K2Error.isInstance(err) || err.code !== 'VALIDATION') throw err
    stats.deadLetters++
    // The dead letter needs a valid receive time of its own: the event's when it has one, else now.
    const recvTs = Number.isSafeInteger(ev.recvTs) && ev.recvTs >= MIN_TIME_US && ev.recvTs <= MAX_TIME_US ? ev.recvTs : now()
    await dlq.append([
      { exchange: ev.exchange, recv_ts: recvTs, raw: JSON.stringify(ev), error_code: err.code, error_message: err.message },
    ])
    return false
  }
}
