import { K2Error } from '@k2/core'

/**
 * `k2`'s exit codes, documented in `k2 help` and docs/cli.md. Scripts branch on them: 1 is "ran and
 * found a problem" (a failed check), never a crash in disguise.
 */
export const EXIT = {
  /** Done, and every check passed. */
  OK: 0,
  /** The command ran and found a failure: an invariant check failed, or the demo lost data. */
  FAILED: 1,
  /** Bad usage: an unknown command or option, or an option value of the wrong form. */
  USAGE: 2,
  /** The lake or an input file is missing, corrupt or moved (NOT_FOUND, CORRUPT_TABLE, TABLE_MOVED, IO). */
  DATA: 3,
  /** A network connection, subscription or rate limit stopped the command. */
  NETWORK: 4,
  /** An unexpected error: a bug in K2 (please report it with the message). */
  INTERNAL: 70,
  /** Interrupted by SIGINT or SIGTERM before the work was done. */
  INTERRUPTED: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Thrown by a command to end with `code` after it printed its own explanation. */
export class CommandExit extends Error {
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`)
  }
}

/** The exit code for an error that escaped a command. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CommandExit) return err.code
  if (!K2Error.isInstance(err)) return EXIT.INTERNAL
  switch (err.code) {
    case 'VALIDATION':
      return EXIT.USAGE
    case 'NOT_FOUND':
    case 'CORRUPT_TABLE':
    case 'TABLE_MOVED':
    case 'IO':
    case 'COMMIT_CONFLICT':
      return EXIT.DATA
    case 'CONNECTION':
    case 'SUBSCRIPTION':
    case 'RATE_LIMIT':
    case 'PROTOCOL':
      return EXIT.NETWORK
    case 'CLOSED':
      return EXIT.INTERRUPTED
    case 'INTERNAL':
      return EXIT.INTERNAL
    default:
      return EXIT.FAILED
  }
}

/** The help text's table of exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0    done; every check passed
  1    ran and found a failure (a failed invariant in k2 check, lost data in k2 demo)
  2    bad usage (unknown command or option, malformed value)
  3    the lake or an input is missing, corrupt or moved
  4    network: connection, subscription or rate limit
  70   a bug in K2 (please report the message)
  130  interrupted (SIGINT/SIGTERM)`
