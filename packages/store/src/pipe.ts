import { type Clock, type DeadLetter, type FeedEventMap, K2Error, type MarketEventSource, type RawFrame, systemClock } from '@k2/core'
import { CoverageTracker } from './coverage-tracker.js'
import type { Lake } from './lake.js'
import type { Scheduler, TableWriter } from './writer.js'

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
}

export interface PipeStats {
  frames: number
  deadLetters: number
  trades: number
  /** Trades dropped because the lake already had them (e.g. replayed after a reconnect). */
  duplicateTrades: number
  bookUpdates: number
  coverageRows: number
  gaps: number
}

/**
 * Writes a feed into the lake until it ends or `signal` aborts: raw frames → bronze.frames,
 * dead letters → bronze.dlq, trades → silver.trades (deduplicated), books → silver.book, and the
 * feed's connection/subscription/gap history → bronze.coverage. Takes any `MarketEventSource`
 * (core's contract), so the store never depends on the feeds package. Resolves with counts once
 * every buffered row is committed.
 */
export async function pipe(source: MarketEventSource, lake: Lake, opts: PipeOptions = {}): Promise<PipeStats> {
  const writerOpts = { flushRows: opts.flushRows, flushMs: opts.flushMs, scheduler: opts.scheduler }
  const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
  const frames = (await lake.table('bronze.frames')).writer(clean(writerOpts))
  const dlq = (await lake.table('bronze.dlq')).writer(clean(writerOpts))
  const trades = (await lake.table('silver.trades')).writer(clean(writerOpts))
  const book = (await lake.table('silver.book')).writer(clean(writerOpts))
  const coverage = (await lake.table('bronze.coverage')).writer(clean(writerOpts))
  const tracker = new CoverageTracker()
  const stats: PipeStats = { frames: 0, deadLetters: 0, trades: 0, duplicateTrades: 0, bookUpdates: 0, coverageRows: 0, gaps: 0 }
  let failure: unknown
  const track = (p: Promise<unknown>) => {
    p.catch((err) => {
      failure ??= err
    })
  }
  const writeCoverage = (end: boolean) => {
    const rows = tracker.take(end, end ? (opts.clock ?? systemClock)() : undefined)
    stats.coverageRows += rows.length
    if (rows.length > 0) track(coverage.append(rows))
  }
  const onFrame = (f: RawFrame) => {
    stats.frames++
    track(frames.append([f]))
  }
  const onDlq = (d: DeadLetter) => {
    stats.deadLetters++
    track(dlq.append([d]))
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
  try {
    if (!opts.signal?.aborted) {
      for await (const ev of source) {
        if (ev.type === 'trade') {
          stats.trades++
          if (await appendOrDeadLetter(trades, [ev], ev, dlq, stats)) tracker.trade(ev)
        } else if (ev.type === 'book_snapshot' || ev.type === 'book_delta') {
          stats.bookUpdates++
          await appendOrDeadLetter(book, [ev], ev, dlq, stats)
        }
        if (failure) break
        if (opts.signal?.aborted) break
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort)
    source.off('frame', onFrame)
    source.off('dlq', onDlq)
    source.off('status', onStatus)
    source.off('gap', onGap)
    writeCoverage(true)
    const results = await Promise.allSettled([frames.close(), dlq.close(), trades.close(), book.close(), coverage.close()])
    for (const r of results) if (r.status === 'rejected') failure ??= r.reason
  }
  stats.duplicateTrades = trades.stats().duplicates
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
): Promise<boolean> {
  try {
    await writer.append(rows)
    return true
  } catch (err) {
    if (!K2Error.isInstance(err) || err.code !== 'VALIDATION') throw err
    stats.deadLetters++
    const recvTs = Number.isSafeInteger(ev.recvTs) ? ev.recvTs : 0
    await dlq.append([
      { exchange: ev.exchange, recv_ts: recvTs, raw: JSON.stringify(ev), error_code: err.code, error_message: err.message },
    ])
    return false
  }
}
