// Each exchange's rule for whether the next book message continues the book, as pure functions of
// numbers, so the synchronizer, the lake's rebuild and the tests share one definition.
// ../shared/docs/exchanges.md states the rules; docs/books.md says how they are applied.

/** Why a book is known to be wrong. */
export type DesyncReason = 'checksum' | 'sequence_gap' | 'out_of_order' | 'crossed' | 'stale_snapshot' | 'reconnect'

/**
 * What to do with a message: apply it, drop it as already covered (`stale`), or give up the book because
 * messages were lost (`gap`) or arrive out of order (`out_of_order`).
 */
export type Verdict = 'apply' | 'stale' | 'gap' | 'out_of_order'

/**
 * Binance diff depth, the first event after a REST snapshot: events whose last id `u` the snapshot
 * already covers are dropped (`u <= lastUpdateId`, not `<`); the first one applied must straddle
 * `lastUpdateId + 1` (`U <= lastUpdateId + 1 <= u`); one that starts after it means the events between
 * the snapshot and the stream were lost (or the snapshot is older than the stream): fetch a new one.
 */
export function binanceFirst(lastUpdateId: number, U: number, u: number): Verdict {
  if (u <= lastUpdateId) return 'stale'
  return U <= lastUpdateId + 1 ? 'apply' : 'gap'
}

/** Binance diff depth in steady state: each event starts right after the previous one (`U == previous u + 1`). */
export function binanceNext(localId: number, U: number, u: number): Verdict {
  if (u <= localId) return 'stale'
  // U < localId + 1 <= u overlaps what was applied: absolute quantities make re-applying the overlap harmless.
  return U <= localId + 1 ? 'apply' : 'gap'
}

/**
 * Coinbase Advanced Trade `sequence_num`: one counter per connection over every channel, +1 per message
 * and restarting at 0 on a new connection. A jump is a lost message; going back (or repeating) means
 * reordered or duplicated frames. Only the connection sees every message, so it checks this rule.
 */
export function coinbaseNext(previous: number | undefined, sequence: number): Verdict {
  if (previous === undefined || sequence === previous + 1) return 'apply'
  return sequence <= previous ? 'out_of_order' : 'gap'
}

/**
 * Bitstamp diff_order_book after a REST snapshot: diffs at or before the snapshot's microtimestamp are
 * in it; later ones apply in order. There are no sequence numbers: a diff older than the last one
 * applied is out of order (the book cannot be trusted), a lost diff cannot be seen at all.
 */
export function bitstampNext(lastMicros: number, micros: number, afterSnapshot: boolean): Verdict {
  // afterSnapshot: lastMicros is the snapshot's own time (no diff applied since).
  if (micros > lastMicros) return 'apply'
  // Per pair the microtimestamps only grow (verified on 3,919 real diffs): one that repeats or goes back
  // after the first applied diff is a reordered or repeated one.
  return afterSnapshot ? 'stale' : 'out_of_order'
}
