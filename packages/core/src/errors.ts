/**
 * Every error K2 throws or reports is a `K2Error` with a stable `code`. Codes are part of the public
 * API: match on `err.code`, never on the message (messages say what to do and may be reworded).
 */
export const K2_ERROR_CODES = [
  /** A value given by the caller is not of the expected form. */
  'VALIDATION',
  /** An exchange sent something that does not follow its documented protocol. */
  'PROTOCOL',
  /** A network connection failed, closed or went silent. */
  'CONNECTION',
  /** A subscription was rejected or never acknowledged. */
  'SUBSCRIPTION',
  /** An external service refused because of its rate limit. */
  'RATE_LIMIT',
  /** Another writer committed first and retries ran out. */
  'COMMIT_CONFLICT',
  /** Table metadata or data files are unreadable or inconsistent. */
  'CORRUPT_TABLE',
  /** A table, snapshot or file that was asked for does not exist. */
  'NOT_FOUND',
  /** An I/O operation on the local file system failed. */
  'IO',
  /** A query ran longer than its timeout and was interrupted. */
  'QUERY_TIMEOUT',
  /** A query failed in the engine. */
  'QUERY',
  /** A bounded resource (queue, pool, memory, row cap) is full. */
  'CAPACITY',
  /** The object was closed or the operation was aborted. */
  'CLOSED',
  /** A feature is not available on this runtime or configuration. */
  'UNSUPPORTED',
  /** A table's metadata names another location (the lake was copied or moved): run `lake.relocate()`. */
  'TABLE_MOVED',
  /** A bug in K2: please report it. */
  'INTERNAL',
] as const

export type K2ErrorCode = (typeof K2_ERROR_CODES)[number]

// Symbol.for, not a module-local symbol: a notebook may load two copies of @k2/core, and an error
// from one must still be recognised by the other (instanceof would fail across copies).
const MARKER = Symbol.for('k2.error')

export interface K2ErrorOptions {
  cause?: unknown
  /** Structured context for logs and debugging (values, ids, paths). */
  details?: Record<string, unknown>
}

export class K2Error extends Error {
  readonly code: K2ErrorCode
  readonly details: Record<string, unknown> | undefined
  readonly [MARKER] = true

  constructor(code: K2ErrorCode, message: string, options: K2ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'K2Error'
    this.code = code
    this.details = options.details
  }

  /** True for any K2Error, including one created by another copy of this package. */
  static isInstance(value: unknown): value is K2Error {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  /** Wraps anything thrown into a K2Error, keeping an existing K2Error as it is. */
  static from(value: unknown, code: K2ErrorCode = 'INTERNAL', message?: string): K2Error {
    if (K2Error.isInstance(value)) return value
    const text = value instanceof Error ? value.message : String(value)
    return new K2Error(code, message ?? text, { cause: value })
  }

  toJSON(): { name: string; code: K2ErrorCode; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) }
  }
}

/** An error about one exchange's feed; carries the exchange and an excerpt of the offending frame. */
export class FeedError extends K2Error {
  readonly exchange: string
  readonly frame: string | undefined

  constructor(code: K2ErrorCode, exchange: string, message: string, options: K2ErrorOptions & { frame?: string } = {}) {
    super(code, message, options)
    this.name = 'FeedError'
    this.exchange = exchange
    this.frame = options.frame === undefined ? undefined : excerpt(options.frame)
  }
}

/** An error from the query layer; carries the SQL text and its bound parameters. */
export class QueryError extends K2Error {
  readonly sql: string
  readonly params: readonly unknown[]

  constructor(code: K2ErrorCode, message: string, query: { sql: string; params: readonly unknown[] }, options: K2ErrorOptions = {}) {
    super(code, message, options)
    this.name = 'QueryError'
    this.sql = query.sql
    this.params = query.params
  }
}

const EXCERPT_CHARS = 256

/** The first characters of a frame, enough to recognise it in a log without flooding it. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`
}
