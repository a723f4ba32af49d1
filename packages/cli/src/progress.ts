import cliProgress from 'cli-progress'
import type { CliIo } from './io.js'

/** Progress of one long piece of work (an import, a roll-up, a compaction). */
export interface Progress {
  /** Sets how much is done, and the total when it became known. */
  update(done: number, total?: number): void
  /** Ends the bar (or logs the final line) with a summary. */
  stop(summary?: string): void
}

export interface ProgressOptions {
  /** What is being done, e.g. "import trades.zip". */
  label: string
  /** Units counted, e.g. "rows" or "bytes". */
  unit: string
  /** Total units when known up front (percent and ETA need it). */
  total?: number
  /** Seconds between plain log lines when stderr is not a terminal (default 2). */
  logEverySeconds?: number
}

/**
 * A progress bar with rate and ETA on a terminal (cli-progress redraws it in place); plain log
 * lines every few seconds when stderr is a file or a pipe, so CI logs stay readable.
 */
export function startProgress(io: CliIo, opts: ProgressOptions): Progress {
  const started = performance.now()
  let total = opts.total ?? 0
  let done = 0
  const rate = () => done / Math.max((performance.now() - started) / 1000, 1e-3)
  const payload = () => ({
    label: opts.label,
    unit: opts.unit,
    rate: compact(rate()),
    doneText: compact(done),
    totalText: total ? compact(total) : '?',
  })

  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{label} [{bar}] {percentage}% {doneText}/{totalText} {unit} · {rate} {unit}/s · ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    )
    bar.start(Math.max(total, 1), 0, payload())
    return {
      update(n, t) {
        done = n
        if (t !== undefined && t !== total) {
          total = t
          bar.setTotal(Math.max(t, 1))
        }
        bar.update(n, payload())
      },
      stop(summary) {
        bar.update(total ? Math.min(done, total) : done, payload())
        bar.stop()
        if (summary) io.err(summary)
      },
    }
  }

  const every = (opts.logEverySeconds ?? 2) * 1000
  let lastLog = started
  const line = () => {
    const pct = total ? ` (${Math.min(100, Math.round((100 * done) / total))}%)` : ''
    const eta = total && done ? ` · ETA ${Math.max(0, Math.round((total - done) / rate()))} s` : ''
    return `${opts.label}: ${compact(done)}${total ? `/${compact(total)}` : ''} ${opts.unit}${pct} · ${compact(rate())} ${opts.unit}/s${eta}`
  }
  return {
    update(n, t) {
      done = n
      if (t !== undefined) total = t
      const now = performance.now()
      if (now - lastLog >= every) {
        lastLog = now
        io.err(line())
      }
    },
    stop(summary) {
      io.err(summary ?? line())
    },
  }
}

/** 1234567 → "1.23M": short enough for a bar. */
export function compact(n: number): string {
  const abs = Math.abs(n)
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}G`
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  return String(Math.round(n))
}
