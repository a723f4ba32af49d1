/** Reconnect backoff: exponential from `minMs`, doubling up to `maxMs`, with jitter. */
export interface Backoff {
  minMs: number
  maxMs: number
}

// Never 0 ms: p-retry does not wait at all then, and an attempt that fails without I/O would be
// retried without the event loop ever running.
const atLeast1 = (ms: number) => Math.max(1, ms)

/** The schedule as p-retry options, for the reconnects it drives. */
export function retryTimings(b: Backoff): { factor: number; minTimeout: number; maxTimeout: number; randomize: boolean } {
  return { factor: 2, minTimeout: atLeast1(b.minMs), maxTimeout: atLeast1(b.maxMs), randomize: true }
}

/** The wait before retry number `failures + 1`, as p-retry computes it (jitter ×1–2, then capped). */
export function backoffDelay(failures: number, b: Backoff): number {
  return Math.min(atLeast1(b.maxMs), Math.round((1 + Math.random()) * atLeast1(b.minMs) * 2 ** failures))
}

/** Waits `ms` on a timer (so the event loop runs), or less if `signal` aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
