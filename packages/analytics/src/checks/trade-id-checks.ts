import type { ResolvedOptions } from './options.js'
import { Tally } from './report.js'
import type { TradeChecker } from './trade-checker.js'
import type { TradeKey, TradeRow } from './trade-row.js'

// These three read one exchange/symbol's trades ordered by id (compareIds), so each needs only the previous trade.

/** `trade.duplicate-id`: (exchange, symbol, id) is unique; every repeat is one offending row. */
export function duplicateIdChecker(target: string, opts: ResolvedOptions): TradeChecker {
  const tally = new Tally('trade.duplicate-id', target, 'rows', opts.examples)
  let prev: string | undefined
  return {
    begin() {
      prev = undefined
    },
    observe(t) {
      tally.checked++
      if (t.id === prev) tally.offend(t.raw)
      prev = t.id
    },
    finish: () => tally.result('(exchange, symbol, id) is unique'),
  }
}

const CANONICAL = /^(0|[1-9]\d*)$/

/**
 * `trade.id-gap`: on exchanges whose ids count up by one per symbol, each missing run of ids is one
 * offending range. A symbol with any id that is not a canonical decimal is not sequential: skipped.
 */
export function idGapChecker(target: string, opts: ResolvedOptions): TradeChecker {
  const tally = new Tally('trade.id-gap', target, 'ranges', opts.examples)
  let key: TradeKey | undefined
  let applies = false
  let prev: bigint | undefined
  let prevId = ''
  let ranges: unknown[] = []
  let count = 0
  let skippedKeys = 0
  return {
    begin(k) {
      key = k
      applies = opts.idGapExchanges.has(k.exchange)
      prev = undefined
      ranges = []
      count = 0
    },
    observe(t) {
      if (!applies) return
      tally.checked++
      if (!CANONICAL.test(t.id)) {
        applies = false
        skippedKeys++
        return
      }
      const id = BigInt(t.id)
      if (prev !== undefined && id > prev + 1n) {
        count++
        if (ranges.length < opts.examples) {
          ranges.push({
            exchange: key?.exchange,
            symbol: key?.symbol,
            fromId: String(prev + 1n),
            toId: String(id - 1n),
            missing: Number(id - prev - 1n),
            after: prevId,
            before: t.id,
          })
        }
      }
      prev = id
      prevId = t.id
    },
    end() {
      if (!applies) return
      for (const r of ranges) tally.offend(r)
      tally.count += count - ranges.length
    },
    finish: () =>
      tally.result(
        'ids count up by one per exchange and symbol',
        skippedKeys > 0 ? `${skippedKeys} symbols with non-integer ids skipped` : undefined,
      ),
  }
}

/** `trade.ts-order`: ordered by id, no trade is earlier than the one before it by more than the tolerance. */
export function tsOrderChecker(target: string, opts: ResolvedOptions): TradeChecker {
  const tally = new Tally('trade.ts-order', target, 'rows', opts.examples)
  let prev: TradeRow | undefined
  return {
    begin() {
      prev = undefined
    },
    observe(t) {
      tally.checked++
      if (prev && t.ts < prev.ts - opts.tsToleranceUs) tally.offend({ ...(t.raw as object), previousId: prev.id, previousTs: prev.ts })
      prev = t
    },
    finish: () => tally.result(`ordered by id, ts never steps back more than ${opts.tsToleranceUs} µs`),
  }
}
