/**
 * K2 never writes to the console by itself: every component takes an optional `Logger` and is
 * silent by default. Pass `consoleLogger()` or an adapter to pino/winston to see what happens.
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
}

const noop = () => {}

export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop })

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** A logger that writes to the console at or above `level`, tagged with `name`. */
export function consoleLogger(level: LogLevel = 'info', name = 'k2'): Logger {
  const at = (l: LogLevel) =>
    LEVELS[l] < LEVELS[level]
      ? noop
      : (message: string, context?: Record<string, unknown>) =>
          console[l](`[${name}] ${message}`, ...(context === undefined ? [] : [context]))
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
