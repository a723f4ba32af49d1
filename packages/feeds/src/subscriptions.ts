import type { CanonicalSymbol } from '@k2/core'
import type { Connection } from './connection.js'

export type SubscriptionState = 'pending' | 'subscribed' | 'stale' | 'rejected'

interface SymbolSub {
  state: SubscriptionState
  /** When the state last changed (epoch µs). */
  since: number
  /** When a trade for the symbol last arrived (epoch µs). */
  lastTradeAt: number
}

interface PendingRequest {
  conn: Connection
  symbols: Set<CanonicalSymbol>
  sentAt: number
}

/** Which symbols are subscribed, which requests wait for an answer, and which symbols went quiet. */
export class Subscriptions {
  readonly bySymbol = new Map<CanonicalSymbol, SymbolSub>()
  readonly pending = new Map<number, PendingRequest>()

  constructor(symbols: readonly CanonicalSymbol[]) {
    for (const s of symbols) this.bySymbol.set(s, { state: 'pending', since: 0, lastTradeAt: 0 })
  }

  /** Symbols that should be (re)subscribed on a new connection: all but the rejected ones. */
  wanted(): CanonicalSymbol[] {
    return [...this.bySymbol].filter(([, s]) => s.state !== 'rejected').map(([symbol]) => symbol)
  }

  sent(reqId: number, conn: Connection, symbols: readonly CanonicalSymbol[], now: number): void {
    this.pending.set(reqId, { conn, symbols: new Set(symbols), sentAt: now })
    for (const s of symbols) {
      const sub = this.bySymbol.get(s)
      if (sub && sub.state !== 'stale') {
        sub.state = 'pending'
        sub.since = now
      }
    }
  }

  /** Marks symbols confirmed (by name, or all of request `reqId`); returns those newly subscribed. */
  acked(conn: Connection, now: number, symbols?: readonly CanonicalSymbol[], reqId?: number): CanonicalSymbol[] {
    const names = new Set<CanonicalSymbol>(symbols ?? [])
    if (reqId !== undefined) {
      const req = this.pending.get(reqId)
      if (req !== undefined) for (const s of req.symbols) names.add(s)
      if (symbols === undefined) this.pending.delete(reqId)
    }
    for (const [id, req] of this.pending) {
      if (req.conn !== conn) continue
      for (const s of names) req.symbols.delete(s)
      if (req.symbols.size === 0) this.pending.delete(id)
    }
    const changed: CanonicalSymbol[] = []
    for (const s of names) {
      const sub = this.bySymbol.get(s)
      if (sub === undefined || sub.state === 'rejected') continue
      if (sub.state !== 'subscribed') changed.push(s)
      sub.state = 'subscribed'
      sub.since = now
    }
    return changed
  }

  /** Marks symbols refused; with neither names nor a request id, every pending request of `conn`. */
  rejected(conn: Connection, symbols?: readonly CanonicalSymbol[], reqId?: number): CanonicalSymbol[] {
    const names = new Set<CanonicalSymbol>(symbols ?? [])
    for (const [id, req] of this.pending) {
      if (req.conn !== conn) continue
      if (id === reqId || (symbols === undefined && reqId === undefined)) {
        for (const s of req.symbols) names.add(s)
        this.pending.delete(id)
      } else {
        for (const s of names) req.symbols.delete(s)
        if (req.symbols.size === 0) this.pending.delete(id)
      }
    }
    for (const s of names) {
      const sub = this.bySymbol.get(s)
      if (sub) sub.state = 'rejected'
    }
    return [...names]
  }

  touch(symbol: CanonicalSymbol, now: number): void {
    const sub = this.bySymbol.get(symbol)
    if (sub === undefined) return
    sub.lastTradeAt = now
    if (sub.state === 'stale') sub.state = 'subscribed'
  }

  /** True when no request sent on `conn` still waits for its answer. */
  settled(conn: Connection): boolean {
    for (const req of this.pending.values()) if (req.conn === conn) return false
    return true
  }

  /** Requests older than `timeoutUs`. */
  overdue(now: number, timeoutUs: number): PendingRequest[] {
    return [...this.pending.values()].filter((r) => now - r.sentAt > timeoutUs)
  }

  forget(conn: Connection): void {
    for (const [id, req] of this.pending) if (req.conn === conn) this.pending.delete(id)
  }

  /** Subscribed symbols silent for longer than `quietUs`; they are marked stale. */
  goneQuiet(now: number, quietUs: number): CanonicalSymbol[] {
    const out: CanonicalSymbol[] = []
    for (const [symbol, sub] of this.bySymbol) {
      if (sub.state !== 'subscribed') continue
      if (now - Math.max(sub.since, sub.lastTradeAt) > quietUs) {
        sub.state = 'stale'
        sub.since = now
        out.push(symbol)
      }
    }
    return out
  }
}
