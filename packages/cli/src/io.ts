/**
 * Where a command writes and what it knows about its terminal. Commands never touch `process`
 * directly, so tests run them in-process with captured output, and the executable passes the real one.
 */
export interface CliIo {
  /** One line of the command's result (stdout). */
  out(line: string): void
  /** One line of diagnostics or progress (stderr), kept apart so `--json` output stays parseable. */
  err(line: string): void
  /** Raw text for progress redraws on a terminal (stderr, no newline added). */
  write(text: string): void
  /** True when stderr is a terminal: progress bars redraw in place; otherwise they log plain lines. */
  readonly isTTY: boolean
  /** True when stdout is a terminal: results print as a table for a person, as CSV for a pipe or file. */
  readonly stdoutIsTTY?: boolean
  /** Terminal width for tables and bars (80 when unknown). */
  readonly columns: number
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborted on SIGINT/SIGTERM by the executable; long-running commands stop gracefully on it. */
  readonly signal: AbortSignal
}

/** The io of the running process; `signal` aborts on the first SIGINT or SIGTERM. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    columns: process.stderr.columns || 80,
    env: process.env,
    signal,
  }
}

/** An io for calling commands from code: lines go to `out` (a function) or to the given parts. */
export function toIo(io: Partial<CliIo> | ((line: string) => void) = {}): CliIo {
  const given = typeof io === 'function' ? { out: io } : io
  const out = given.out ?? ((line: string) => console.log(line))
  return {
    out,
    err: given.err ?? (() => {}),
    write: given.write ?? (() => {}),
    isTTY: given.isTTY ?? false,
    stdoutIsTTY: given.stdoutIsTTY ?? false,
    columns: given.columns ?? 80,
    env: given.env ?? {},
    signal: given.signal ?? new AbortController().signal,
  }
}
