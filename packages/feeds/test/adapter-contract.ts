import { type CanonicalSymbol, K2Error, type Trade, TradeSchema } from '@k2/core'
import { describe, expect, it } from 'vitest'
import type { ExchangeAdapter, ParsedFrame } from '../src/adapters/adapter.js'

export interface ContractCase {
  make: (symbols?: CanonicalSymbol[]) => ExchangeAdapter
  /** Real (or, where none exist, derived) trade frames. */
  tradeFrames: readonly string[]
  /** Frame edits that must be rejected to the dead letter (wrong field types, bad values). */
  badEdits: ReadonlyArray<[string, (frame: string) => string]>
  /** Symbols to check the native ↔ canonical round trip on. */
  symbols: CanonicalSymbol[]
}

const RECV = 1_767_225_600_123_456

export function parseAll(adapter: ExchangeAdapter, frames: readonly string[]): { results: ParsedFrame[]; trades: Trade[] } {
  const results = frames.map((f) => adapter.parse(f, RECV))
  return { results, trades: results.flatMap((r) => (r.kind === 'trades' ? r.trades : [])) }
}

/** The contract every adapter keeps, run over its frames (unstorage-style shared suite). */
export function adapterContract(name: string, c: ContractCase): void {
  describe(`${name} adapter contract`, () => {
    it('parses every trade frame into valid canonical trades, never to the dead letter', () => {
      const adapter = c.make()
      const { results, trades } = parseAll(adapter, c.tradeFrames)
      expect(results.filter((r) => r.kind === 'error')).toEqual([])
      expect(results.every((r) => r.kind === 'trades')).toBe(true)
      expect(trades.length).toBeGreaterThanOrEqual(c.tradeFrames.length)
      for (const t of trades) {
        expect(TradeSchema.safeParse(t).success, JSON.stringify(t)).toBe(true)
        expect(t.exchange).toBe(adapter.exchange)
        expect(t.recvTs).toBe(RECV)
        expect(t.side === 'buy' || t.side === 'sell').toBe(true)
      }
    })

    it('never throws and dead-letters garbage, truncated frames and wrong JSON shapes', () => {
      const adapter = c.make()
      const garbage = ['', ' ', 'null', '[]', '42', '"text"', '{', '{"a":', '\u0000\u0001', 'x'.repeat(100_000), '{"data":null}', '[1,2,3]']
      for (const g of garbage) {
        const r = adapter.parse(g, RECV)
        expect(['error', 'ignored']).toContain(r.kind)
      }
      for (const f of c.tradeFrames.slice(0, 10)) {
        for (const cut of [1, Math.floor(f.length / 3), Math.floor(f.length / 2), f.length - 1]) {
          const r = adapter.parse(f.slice(0, cut), RECV)
          expect(r.kind, `truncated at ${cut}: ${f.slice(0, cut)}`).toBe('error')
          if (r.kind === 'error') {
            expect(K2Error.isInstance(r.error)).toBe(true)
            expect(r.error.code).toBe('PROTOCOL')
          }
        }
      }
    })

    for (const [what, edit] of c.badEdits) {
      it(`dead-letters a frame with ${what}`, () => {
        const f = c.tradeFrames[0] as string
        const changed = edit(f)
        expect(changed).not.toBe(f)
        const r = c.make().parse(changed, RECV)
        expect(r.kind, changed).toBe('error')
        if (r.kind === 'error') expect(r.error.message.length).toBeGreaterThan(10)
      })
    }

    it('builds subscribe and unsubscribe messages as JSON objects naming each symbol', () => {
      const adapter = c.make(c.symbols)
      for (const channel of adapter.channels) {
        for (const frames of [adapter.subscribe(c.symbols, channel, 7), adapter.unsubscribe(c.symbols, channel, 8)]) {
          expect(frames.length).toBeGreaterThan(0)
          const text = frames.join('\n')
          for (const f of frames) expect(typeof JSON.parse(f)).toBe('object')
          for (const s of c.symbols) expect(text.toLowerCase()).toContain(adapter.toNative(s).toLowerCase())
        }
      }
      const ping = adapter.ping(9)
      if (ping !== undefined) expect(typeof JSON.parse(ping)).toBe('object')
    })

    it('maps symbols both ways', () => {
      const adapter = c.make()
      for (const s of c.symbols) expect(adapter.toCanonical(adapter.toNative(s))).toBe(s)
    })
  })
}
