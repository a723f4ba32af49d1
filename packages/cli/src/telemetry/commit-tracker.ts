import type { K2Error, TableName } from '@k2/core'

interface TableState {
  rows: number
  commits: number
  lastCommitAt: number | undefined
  /** The last background flush failure not yet followed by a successful commit. */
  failing: K2Error | undefined
}

/**
 * What the lake acknowledged: rows and commits per table, the time of the last commit, and whether a
 * table's writer is failing (a background flush failed and no commit has succeeded since). Fed by
 * the pipe's `onCommit` and `onError`; read by the status lines and `/readyz`.
 */
export class CommitTracker {
  readonly #tables = new Map<TableName, TableState>()
  #ended: string | undefined

  constructor(private readonly now: () => number = Date.now) {}

  #state(table: TableName): TableState {
    const s = this.#tables.get(table) ?? { rows: 0, commits: 0, lastCommitAt: undefined, failing: undefined }
    this.#tables.set(table, s)
    return s
  }

  committed(table: TableName, result: { rows: number; snapshotId: bigint | null }): void {
    const s = this.#state(table)
    s.rows += result.rows
    if (result.snapshotId !== null) s.commits++
    s.lastCommitAt = this.now()
    s.failing = undefined
  }

  failed(table: TableName, error: K2Error): void {
    this.#state(table).failing = error
  }

  /** The pipe is stopping or stopped (normally or not): the process is no longer ready. */
  ended(why: string): void {
    this.#ended ??= why
  }

  rows(table: TableName): number {
    return this.#tables.get(table)?.rows ?? 0
  }

  commits(table: TableName): number {
    return this.#tables.get(table)?.commits ?? 0
  }

  /** Milliseconds since the last commit of `table`, undefined before the first. */
  sinceLastCommitMs(table: TableName): number | undefined {
    const at = this.#tables.get(table)?.lastCommitAt
    return at === undefined ? undefined : this.now() - at
  }

  /** Tables whose commits are failing, one line each. */
  failing(): string[] {
    const out: string[] = []
    for (const [table, s] of this.#tables) if (s.failing) out.push(`${table}: commits failing (${s.failing.code}: ${s.failing.message})`)
    return out
  }

  /** Why the writers are not ready to take data (empty when they are). */
  problems(): string[] {
    return [...(this.#ended ? [`the lake writer is ${this.#ended}`] : []), ...this.failing()]
  }
}
