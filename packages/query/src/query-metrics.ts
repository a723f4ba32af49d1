import { k2Instruments } from '@k2/core'

/** The query layer's instruments on the meter `k2.query` (no-ops until an OpenTelemetry SDK is registered). */
const instruments = k2Instruments('query', (meter) => ({
  duration: meter.createHistogram('k2.query.duration', {
    description: 'time from a statement starting on a connection to its last batch, by outcome (ok or the error code)',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] },
  }),
}))

/** Records one statement's run time; `outcome` is "ok" or the K2 error code it failed with. */
export function recordQuery(ms: number, outcome: string): void {
  instruments().duration.record(ms, { outcome })
}
