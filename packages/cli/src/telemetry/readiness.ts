import type { FeedStats } from '@k2/feeds'

export interface Readiness {
  ready: boolean
  /** Why not, one reason a line; empty when ready. */
  reasons: string[]
}

/**
 * Ready when every feed has a connection with every symbol subscribed (a `stale` symbol, quiet for a
 * while, still counts: its subscription stands) and the lake writer is healthy.
 */
export function readiness(feeds: readonly FeedStats[], writerProblems: readonly string[]): Readiness {
  const reasons: string[] = []
  for (const f of feeds) {
    if (f.connections === 0) reasons.push(`${f.exchange}: not connected`)
    const waiting = Object.entries(f.symbols).filter(([, s]) => s.subscription !== 'subscribed' && s.subscription !== 'stale')
    if (waiting.length > 0)
      reasons.push(`${f.exchange}: not subscribed to ${waiting.map(([sym, s]) => `${sym} (${s.subscription})`).join(', ')}`)
  }
  reasons.push(...writerProblems)
  return { ready: reasons.length === 0, reasons }
}
