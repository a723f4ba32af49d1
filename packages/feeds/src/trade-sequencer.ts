import { type CanonicalSymbol, type Clock, type Exchange, type Gap, K2Error, type Trade } from '@k2/core'

/** Per-symbol state: the last trade emitted and, while a gap is healed, the live trades held back. */
export interface SymbolState {
  /** The first trade emitted: where the symbol's coverage starts (the oldest trade of a subscribe snapshot, where one came first). */
  firstId: number | undefined
  lastId: number | undefined
  lastTs: number
  trades: number
  duplicates: number
  gaps: number
  /** Trades fetched from history after reconnects (exchanges whose ids cannot reveal gaps). */
  recovered: number
  healing: boolean
  held: Trade[]
}

export interface SequencerHooks {
  emit(trade: Trade): void
  gap(gap: Gap): void
  /** Fetches missing trades `fromId..toId`; undefined where the exchange has no usable history. */
  heal: ((symbol: CanonicalSymbol, fromId: number, toId: number, afterTs: number) => Promise<Trade[]>) | undefined
  error(err: K2Error): void
  /** A hold ended (a gap healed or a recovery finished): the trades held back were released. */
  released(): void
}

/** Gaps wider than this are reported but not fetched (hours of a busy market). */
const MAX_HEAL = 200_000

/**
 * Puts each symbol's trades in id order exactly once: drops repeats (reconnects, overlapping
 * connections, snapshots), reports jumps as gaps, and holds later trades back while a gap is fetched
 * from history, so trades are emitted in order. A subscribe snapshot is a run of real trades like any
 * other: on the first subscription it starts the series at its oldest trade; after a reconnect its
 * trades fill in what the connection missed, and those already emitted are repeats.
 */
export class TradeSequencer {
  readonly symbols = new Map<CanonicalSymbol, SymbolState>()

  constructor(
    private readonly exchange: Exchange,
    private readonly contiguous: boolean,
    private readonly clock: Clock,
    private readonly hooks: SequencerHooks,
  ) {}

  state(symbol: CanonicalSymbol): SymbolState {
    let st = this.symbols.get(symbol)
    if (st === undefined) {
      st = { firstId: undefined, lastId: undefined, lastTs: 0, trades: 0, duplicates: 0, gaps: 0, recovered: 0, healing: false, held: [] }
      this.symbols.set(symbol, st)
    }
    return st
  }

  /** Trades held back across all symbols while gaps heal. */
  get held(): number {
    let n = 0
    for (const st of this.symbols.values()) n += st.held.length
    return n
  }

  get duplicates(): number {
    let n = 0
    for (const st of this.symbols.values()) n += st.duplicates
    return n
  }

  /** Takes one trade; the trades of a frame come oldest first. */
  accept(trade: Trade): void {
    const st = this.state(trade.symbol)
    const id = Number(trade.id)
    if (st.healing) {
      const last = st.held[st.held.length - 1]
      if (last === undefined || id > Number(last.id)) st.held.push(trade)
      else st.duplicates++
      return
    }
    if (st.lastId === undefined) {
      this.pass(st, trade, id)
      return
    }
    if (id <= st.lastId) {
      st.duplicates++
      return
    }
    if (!this.contiguous || id === st.lastId + 1) {
      this.pass(st, trade, id)
      return
    }
    this.openGap(st, trade, st.lastId + 1, id - 1)
  }

  /**
   * After a reconnect, where ids cannot reveal a gap: fetches the trades newer than the last one emitted,
   * holding live trades meanwhile, and emits them in order. Nothing happens before the first trade.
   */
  recover(symbol: CanonicalSymbol): void {
    const st = this.state(symbol)
    const heal = this.hooks.heal
    if (heal === undefined || st.lastId === undefined || st.healing) return
    const after = st.lastId
    st.healing = true
    st.held = []
    const done = (trades: Trade[], err: unknown) => {
      for (const t of trades) {
        const id = Number(t.id)
        if (id > (st.lastId ?? after)) {
          this.pass(st, t, id)
          st.recovered++
        }
      }
      if (err !== undefined && !(K2Error.isInstance(err) && err.code === 'CLOSED'))
        this.hooks.error(K2Error.from(err, 'CONNECTION', `recovering ${symbol} after a reconnect failed`))
      this.release(st)
    }
    heal(symbol, after + 1, Number.MAX_SAFE_INTEGER, st.lastTs).then(
      (trades) => done(trades, undefined),
      (err: unknown) => done([], err),
    )
  }

  /** Ends a hold: the trades that arrived meanwhile go through `accept` again, in order. */
  private release(st: SymbolState): void {
    const held = st.held
    st.held = []
    st.healing = false
    for (let i = 0; i < held.length; i++) {
      if (st.healing) {
        st.held.push(...held.slice(i))
        break
      }
      this.accept(held[i] as Trade)
    }
    this.hooks.released()
  }

  private pass(st: SymbolState, trade: Trade, id: number): void {
    st.firstId ??= id
    st.lastId = id
    st.lastTs = trade.ts
    st.trades++
    this.hooks.emit(trade)
  }

  private openGap(st: SymbolState, next: Trade, fromId: number, toId: number): void {
    st.gaps++
    const gap: Gap = {
      exchange: this.exchange,
      symbol: next.symbol,
      fromId: String(fromId),
      toId: String(toId),
      detectedTs: this.clock(),
      state: 'open',
    }
    this.hooks.gap(gap)
    const heal = this.hooks.heal
    if (heal === undefined || toId - fromId + 1 > MAX_HEAL) {
      const reason = heal === undefined ? 'no trade history to heal from' : `gap of ${toId - fromId + 1} trades is too wide to fetch`
      this.hooks.gap({ ...gap, state: 'unhealed', reason })
      this.pass(st, next, Number(next.id))
      return
    }
    st.healing = true
    st.held = [next]
    heal(next.symbol, fromId, toId, st.lastTs).then(
      (trades) => this.finishHeal(st, gap, trades, undefined),
      (err: unknown) => this.finishHeal(st, gap, [], err),
    )
  }

  private finishHeal(st: SymbolState, gap: Gap, trades: Trade[], err: unknown): void {
    const from = Number(gap.fromId)
    const to = Number(gap.toId)
    let got = 0
    for (const t of trades) {
      const id = Number(t.id)
      if (id >= from && id <= to && (st.lastId === undefined || id > st.lastId)) {
        this.pass(st, t, id)
        got++
      }
    }
    const complete = got === to - from + 1
    if (err !== undefined && !(K2Error.isInstance(err) && err.code === 'CLOSED')) {
      this.hooks.error(K2Error.from(err, 'CONNECTION', `healing gap ${gap.fromId}..${gap.toId} of ${gap.symbol} failed`))
    }
    const reason =
      err !== undefined
        ? `history request failed: ${err instanceof Error ? err.message : String(err)}`
        : `history returned ${got} of ${to - from + 1} trades`
    this.hooks.gap(complete ? { ...gap, state: 'healed', healedBy: 'rest' } : { ...gap, state: 'unhealed', reason })
    const held = st.held
    st.held = []
    st.healing = false
    // Release what arrived meanwhile; a further jump among them opens the next gap (and holds the rest again).
    for (let i = 0; i < held.length; i++) {
      const t = held[i] as Trade
      if (st.healing) {
        st.held.push(...held.slice(i))
        break
      }
      // The first held trade follows the gap: accept it as the next in line even if some ids stayed missing.
      if (i === 0 && !complete) this.pass(st, t, Number(t.id))
      else this.accept(t)
    }
    this.hooks.released()
  }
}
