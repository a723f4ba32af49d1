import type { FeedStatus, Gap, Micros } from '@k2/core'
import { compareIds } from './trade-order.js'
import type { CoverageBreak } from './types.js'

interface StatusBreak {
  exchange: string
  /** undefined: every symbol of the exchange. */
  symbol: string | undefined
  start: Micros
  end: Micros
}

interface IdGap {
  exchange: string
  symbol: string
  fromId: string
  toId: string
  /** Newest ts of a trade before the gap, and oldest after it: the missing trades lie between. */
  before: Micros
  after: Micros
}

/**
 * Time a feed did not cover, per exchange and symbol: from a `disconnected`, `stale` or `closed`
 * status until the next `subscribed`, and around each trade-id gap that was not healed. A gap's time
 * span comes from the trades on either side of it, so it does not depend on whether the gap event
 * or the trades reach us first.
 */
export class Coverage {
  private readonly fixed: readonly CoverageBreak[]
  private readonly status: StatusBreak[] = []
  private readonly gaps: IdGap[] = []
  /** Gaps whose trade after is not known yet (the only ones trades must be checked against). */
  private pending = 0

  constructor(fixed: readonly CoverageBreak[] = []) {
    this.fixed = fixed
  }

  /** Applies a status change; true when coverage changed. */
  onStatus(s: FeedStatus): boolean {
    const symbols: Array<string | undefined> = s.symbols ?? [undefined]
    let changed = false
    if (s.state === 'disconnected' || s.state === 'stale' || s.state === 'closed') {
      for (const symbol of symbols) {
        if (this.status.some((b) => b.exchange === s.exchange && b.symbol === symbol && b.end === Number.POSITIVE_INFINITY)) continue
        this.status.push({ exchange: s.exchange, symbol, start: s.ts, end: Number.POSITIVE_INFINITY })
        changed = true
      }
    } else if (s.state === 'subscribed') {
      for (const b of this.status) {
        const concerned =
          b.exchange === s.exchange &&
          (s.symbols === undefined || b.symbol === undefined || (s.symbols as readonly string[]).includes(b.symbol))
        if (concerned && b.end === Number.POSITIVE_INFINITY) {
          b.end = Math.max(s.ts, b.start)
          changed = true
        }
      }
    }
    return changed
  }

  /** Applies a gap report; `lastTs` is the newest trade ts seen for its symbol. True when coverage changed. */
  onGap(g: Gap, lastTs: Micros): boolean {
    const i = this.gaps.findIndex((x) => x.exchange === g.exchange && x.symbol === g.symbol && x.fromId === g.fromId && x.toId === g.toId)
    if (g.state === 'healed') {
      if (i < 0) return false
      if ((this.gaps[i] as IdGap).after === Number.POSITIVE_INFINITY) this.pending--
      this.gaps.splice(i, 1)
      return true
    }
    if (i >= 0) return false
    this.gaps.push({
      exchange: g.exchange,
      symbol: g.symbol,
      fromId: g.fromId,
      toId: g.toId,
      before: lastTs,
      after: Number.POSITIVE_INFINITY,
    })
    this.pending++
    return true
  }

  /** Narrows the span of open gaps with a trade; true when coverage changed. Cheap when no gap is open. */
  observe(exchange: string, symbol: string, ts: Micros, id: string): boolean {
    if (this.pending === 0) return false
    let changed = false
    for (const g of this.gaps) {
      if (g.exchange !== exchange || g.symbol !== symbol) continue
      if (compareIds(id, g.fromId) < 0 && (ts > g.before || g.before === Number.NEGATIVE_INFINITY)) {
        g.before = ts
        changed = true
      } else if (compareIds(id, g.toId) > 0 && ts < g.after) {
        if (g.after === Number.POSITIVE_INFINITY) this.pending--
        g.after = ts
        changed = true
      }
    }
    return changed
  }

  /** True when nothing breaks coverage of [start, end) for this exchange and symbol. */
  covers(exchange: string, symbol: string, start: Micros, end: Micros): boolean {
    for (const [gs, ge] of this.fixed) if (gs < end && ge > start) return false
    for (const b of this.status)
      if (b.exchange === exchange && (b.symbol === undefined || b.symbol === symbol) && b.start < end && b.end > start) return false
    for (const g of this.gaps) {
      if (g.exchange !== exchange || g.symbol !== symbol) continue
      const from = Math.min(g.before, g.after)
      const to = Math.max(g.before === Number.NEGATIVE_INFINITY ? g.after : g.before, g.after)
      if (from < end && to + 1 > start) return false
    }
    return true
  }
}
