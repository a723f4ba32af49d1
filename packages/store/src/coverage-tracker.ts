import type { FeedStatus, Gap, Tables, Trade } from '@k2/core'

type CoverageRow = Tables['bronze.coverage']

/**
 * Turns a feed's side channel into `bronze.coverage` rows: intervals a connection was up and each
 * symbol subscribed, the trade-id ranges received, and every gap with its final state. Intervals
 * are emitted when they close (or when the pipe ends, closed at the last time seen).
 */
export class CoverageTracker {
  readonly #connected = new Map<string, { exchange: string; start: number; connectionId: number }>()
  readonly #subscribed = new Map<string, { exchange: string; symbol: string; start: number; connectionId: number }>()
  readonly #received = new Map<string, { exchange: string; symbol: string; start: number; end: number; fromId: string; toId: string }>()
  readonly #gaps = new Map<string, Gap>()
  readonly #symbols = new Map<string, Set<string>>()
  #out: CoverageRow[] = []
  #lastTs = 0

  /** Symbols seen per exchange (a status without `symbols` concerns all of them). */
  #symbolsOf(exchange: string): Set<string> {
    let s = this.#symbols.get(exchange)
    if (!s) {
      s = new Set()
      this.#symbols.set(exchange, s)
    }
    return s
  }

  status(st: FeedStatus): void {
    this.#lastTs = Math.max(this.#lastTs, st.ts)
    const connKey = `${st.exchange}\u0000${st.connectionId}`
    const symbols = st.symbols ?? [...this.#symbolsOf(st.exchange)]
    for (const s of st.symbols ?? []) this.#symbolsOf(st.exchange).add(s)
    if (st.state === 'connected' && !this.#connected.has(connKey)) {
      this.#connected.set(connKey, { exchange: st.exchange, start: st.ts, connectionId: st.connectionId })
    } else if (st.state === 'subscribed') {
      if (!this.#connected.has(connKey))
        this.#connected.set(connKey, { exchange: st.exchange, start: st.ts, connectionId: st.connectionId })
      for (const symbol of symbols) {
        const k = `${connKey}\u0000${symbol}`
        if (!this.#subscribed.has(k))
          this.#subscribed.set(k, { exchange: st.exchange, symbol, start: st.ts, connectionId: st.connectionId })
      }
    } else if (st.state === 'disconnected' || st.state === 'closed' || st.state === 'stale') {
      this.#closeConnection(connKey, st.ts, st.reason)
    }
  }

  #closeConnection(connKey: string, ts: number, reason?: string): void {
    for (const [k, s] of this.#subscribed) {
      if (!k.startsWith(`${connKey}\u0000`)) continue
      this.#subscribed.delete(k)
      this.#out.push(
        row(s.exchange, s.symbol, 'subscribed', s.start, ts, { detail: `connection ${s.connectionId}${reason ? `: ${reason}` : ''}` }),
      )
      this.#flushReceived(s.exchange, s.symbol)
    }
    const c = this.#connected.get(connKey)
    if (c) {
      this.#connected.delete(connKey)
      this.#out.push(
        row(c.exchange, null, 'connected', c.start, ts, { detail: `connection ${c.connectionId}${reason ? `: ${reason}` : ''}` }),
      )
    }
  }

  trade(t: Trade): void {
    this.#lastTs = Math.max(this.#lastTs, t.recvTs)
    this.#symbolsOf(t.exchange).add(t.symbol)
    const k = `${t.exchange}\u0000${t.symbol}`
    const r = this.#received.get(k)
    // Receive time, like the connection and subscription intervals and the gaps' detection times:
    // one clock for the whole coverage record, so a day's answer never mixes exchange and local time.
    if (!r) this.#received.set(k, { exchange: t.exchange, symbol: t.symbol, start: t.recvTs, end: t.recvTs, fromId: t.id, toId: t.id })
    else {
      r.end = Math.max(r.end, t.recvTs)
      r.start = Math.min(r.start, t.recvTs)
      r.toId = t.id
    }
  }

  #flushReceived(exchange: string, symbol: string): void {
    const k = `${exchange}\u0000${symbol}`
    const r = this.#received.get(k)
    if (!r) return
    this.#received.delete(k)
    this.#out.push(row(r.exchange, r.symbol, 'received', r.start, r.end, { fromId: r.fromId, toId: r.toId }))
  }

  gap(g: Gap): void {
    this.#lastTs = Math.max(this.#lastTs, g.detectedTs)
    const key = `${g.exchange}\u0000${g.symbol}\u0000${g.fromId}\u0000${g.toId}`
    if (g.state === 'open') this.#gaps.set(key, g)
    else {
      this.#gaps.delete(key)
      this.#out.push(gapRow(g))
    }
    // A gap splits the received range: the part before it is complete.
    this.#flushReceived(g.exchange, g.symbol)
  }

  /**
   * Writes out the open intervals up to `ts` and restarts them there, so a crash loses at most what
   * happened since the last checkpoint (adjacent intervals read as one).
   */
  checkpoint(ts = this.#lastTs): void {
    for (const s of this.#subscribed.values()) {
      if (ts <= s.start) continue
      this.#out.push(row(s.exchange, s.symbol, 'subscribed', s.start, ts, { detail: `connection ${s.connectionId}` }))
      s.start = ts
    }
    for (const c of this.#connected.values()) {
      if (ts <= c.start) continue
      this.#out.push(row(c.exchange, null, 'connected', c.start, ts, { detail: `connection ${c.connectionId}` }))
      c.start = ts
    }
    for (const k of [...this.#received.keys()]) {
      const [exchange, symbol] = k.split('\u0000') as [string, string]
      this.#flushReceived(exchange, symbol)
    }
  }

  /** Rows ready to be written (closed intervals); `end` also closes everything still open. */
  take(end = false, endTs = this.#lastTs): CoverageRow[] {
    if (end) {
      for (const k of [...this.#connected.keys()]) this.#closeConnection(k, endTs, 'pipe ended')
      for (const k of [...this.#received.keys()]) {
        const [exchange, symbol] = k.split('\u0000') as [string, string]
        this.#flushReceived(exchange, symbol)
      }
      for (const g of this.#gaps.values()) this.#out.push(gapRow(g))
      this.#gaps.clear()
    }
    const out = this.#out
    this.#out = []
    return out
  }
}

function gapRow(g: Gap): CoverageRow {
  return row(g.exchange, g.symbol, 'gap', g.detectedTs, g.detectedTs, {
    fromId: g.fromId,
    toId: g.toId,
    state: g.state,
    healedBy: g.healedBy ?? null,
    detail: g.reason ?? null,
  })
}

function row(
  exchange: string,
  symbol: string | null,
  kind: string,
  start: number,
  end: number,
  extra: { fromId?: string; toId?: string; state?: string; healedBy?: string | null; detail?: string | null } = {},
): CoverageRow {
  return {
    exchange,
    symbol,
    kind,
    start_ts: start,
    end_ts: Math.max(start, end),
    from_id: extra.fromId ?? null,
    to_id: extra.toId ?? null,
    state: extra.state ?? null,
    healed_by: extra.healedBy ?? null,
    detail: extra.detail ?? null,
  }
}
