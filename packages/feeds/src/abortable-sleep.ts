/**
 * Waits `ms`, or less when `signal` aborts (then it resolves early, without throwing: the caller
 * checks `signal.aborted`). The abort listener is removed when the timer fires, so a long-lived
 * feed's signal does not collect one listener per wait.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve()
    const onAbort = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
