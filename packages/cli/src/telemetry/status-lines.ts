import type { FeedStats } from '@k2/feeds'
import type { CommitTracker } from './commit-tracker.js'

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * The periodic status of `k2 ingest` on stderr: one line per exchange (trade rate since the last
 * line, reconnects, gaps, dead letters, connection) and one for the lake (what is committed).
 */
export class StatusLines {
  #last = new Map<string, number>()
  #lastAt: number

  constructor(
    private readonly tracker: CommitTracker,
    private readonly now: () => number = Date.now,
  ) {
    this.#lastAt = now()
  }

  lines(feeds: readonly FeedStats[]): string[] {
    const at = this.now()
    const seconds = Math.max((at - this.#lastAt) / 1000, 1e-3)
    this.#lastAt = at
    const out: string[] = []
    for (const f of feeds) {
      const rate = (f.trades - (this.#last.get(f.exchange) ?? 0)) / seconds
      this.#last.set(f.exchange, f.trades)
      const gaps = f.gapsFound - f.gapsHealed - f.gapsUnhealed
      const symbols = Object.values(f.symbols)
      const subscribed = symbols.filter((s) => s.subscription === 'subscribed' || s.subscription === 'stale').length
      const link = f.connections === 0 ? 'disconnected' : `${subscribed}/${symbols.length} subscribed`
      out.push(
        `${f.exchange}: ${rate.toFixed(1)} trades/s, ${f.trades} trades, ${plural(f.reconnects, 'reconnect')}, ` +
          `gaps ${f.gapsHealed} healed/${f.gapsUnhealed} unhealed/${Math.max(gaps, 0)} open, ${f.dlq} dlq, ${link}`,
      )
    }
    out.push(this.lake())
    return out
  }

  /** What the lake acknowledged so far. */
  lake(): string {
    const t = this.tracker
    const since = t.sinceLastCommitMs('silver.trades')
    const last = since === undefined ? 'no commit yet' : `last commit ${(since / 1000).toFixed(1)} s ago`
    const problems = t.failing()
    return (
      `lake: ${t.rows('silver.trades')} trades committed in ${plural(t.commits('silver.trades'), 'commit')}, ` +
      `${t.rows('bronze.dlq')} dead letters, ${last}${problems.length > 0 ? `; ${problems.join('; ')}` : ''}`
    )
  }
}
