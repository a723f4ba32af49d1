import { k2Instruments } from '@k2/core'

/** What the queue-depth gauge reads from each open writer. */
export interface ObservedWriter {
  readonly table: string
  buffered(): number
}

/** Writers open now: the gauge sums their buffered rows per table at each collection. */
const open = new Set<ObservedWriter>()

/**
 * The table writers' instruments on the meter `k2.store` (no-ops until the application registers
 * an OpenTelemetry SDK): commit latency, rows and commits, failed commits, and rows waiting.
 */
const instruments = k2Instruments('store', (meter) => {
  meter
    .createObservableGauge('k2.store.writer.queue', { description: 'rows appended and not yet committed, by table' })
    .addCallback((r) => {
      const byTable = new Map<string, number>()
      for (const w of open) byTable.set(w.table, (byTable.get(w.table) ?? 0) + w.buffered())
      for (const [table, rows] of byTable) r.observe(rows, { table })
    })
  return {
    commitDuration: meter.createHistogram('k2.store.commit.duration', {
      description: 'time to commit one batch (data files written, snapshot published), by table',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] },
    }),
    rows: meter.createCounter('k2.store.rows.committed', { description: 'rows committed, by table' }),
    duplicates: meter.createCounter('k2.store.rows.duplicate', { description: 'rows dropped as already in the table, by table' }),
    commits: meter.createCounter('k2.store.commits', { description: 'snapshots committed, by table' }),
    failures: meter.createCounter('k2.store.commit.failures', { description: 'batches that failed to commit, by table and code' }),
  }
})

/** Hooks a TableWriter calls: they only record, never change what the writer does. */
export const writerMetrics = {
  opened(w: ObservedWriter): void {
    instruments() // the gauge exists from the first writer on
    open.add(w)
  },
  closed(w: ObservedWriter): void {
    open.delete(w)
  },
  committed(table: string, ms: number, r: { rows: number; duplicates: number; snapshotId: bigint | null }): void {
    const m = instruments()
    const attrs = { table }
    m.commitDuration.record(ms, attrs)
    m.rows.add(r.rows, attrs)
    if (r.duplicates > 0) m.duplicates.add(r.duplicates, attrs)
    if (r.snapshotId !== null) m.commits.add(1, attrs)
  },
  failed(table: string, ms: number, code: string): void {
    const m = instruments()
    m.commitDuration.record(ms, { table })
    m.failures.add(1, { table, code })
  },
}
