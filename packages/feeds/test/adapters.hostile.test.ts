import { type CanonicalSymbol, EXCHANGES, type Exchange, K2Error } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { createAdapter } from '../src/adapters/index.js'
import { HOSTILE_KINDS, hostileFrame } from '../src/testing/hostile-frames.js'
import { protocolFor } from '../src/testing/sim-frames.js'
import { Tape } from '../src/testing/tape.js'

const SYMBOL: Record<Exchange, CanonicalSymbol> = { binance: 'BTC-USDT', kraken: 'BTC-USD', coinbase: 'BTC-USD', bitstamp: 'BTC-USD' }

/** A feed's adapter and a frame builder for its protocol, from a simulated market. */
function setup(exchange: Exchange) {
  const symbol = SYMBOL[exchange]
  const tape = new Tape(exchange, [symbol], 3)
  for (let i = 0; i < 5; i++) tape.next(symbol)
  const adapter = createAdapter(exchange, { symbols: [symbol] })
  const protocol = protocolFor(exchange, 'trades')
  const text = (f: string | Uint8Array) => (typeof f === 'string' ? f : Buffer.from(f).toString('utf8')) // as the connection decodes binary frames
  return { adapter, protocol, tape, symbol, text }
}

describe.each(EXCHANGES)('%s adapter against hostile frames', (exchange) => {
  const { adapter, protocol, tape, symbol, text } = setup(exchange)

  it('parses the well-formed frame the hostile ones are built from (the baseline is a trade)', () => {
    const good = protocol.trades({ subscribed: new Set([symbol]), sequence: 0, heartbeats: false }, [tape.upcoming(symbol)])[0] as string
    expect(adapter.parse(good, 1)).toMatchObject({ kind: 'trades', trades: [{ id: String(tape.upcoming(symbol).id) }] })
  })

  for (const kind of HOSTILE_KINDS) {
    it(`dead-letters a ${kind} frame with a PROTOCOL error and a bounded message, without throwing`, () => {
      const frame = text(hostileFrame(kind, exchange, protocol, tape.upcoming(symbol)))
      const r = adapter.parse(frame, 1)
      expect(r.kind, frame.slice(0, 300)).toBe('error')
      if (r.kind !== 'error') return
      expect(K2Error.isInstance(r.error)).toBe(true)
      expect(r.error.code).toBe('PROTOCOL')
      expect(r.error.message.length).toBeGreaterThan(10)
      expect(r.error.message.length).toBeLessThanOrEqual(300)
      expect((r.error.frame ?? '').length).toBeLessThanOrEqual(300)
    })
  }
})

describe('the cases of issue #11, one by one', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
  const binance = (t: string, p: string) =>
    `{"stream":"btcusdt@trade","data":{"e":"trade","E":1767614400001,"s":"BTCUSDT","t":${t},"p":${p},"q":"0.5","T":1767614400000,"m":true,"M":true}}`

  it('a "t" or "p" nested 20,000 deep is a dead letter, not a RangeError', () => {
    const a = createAdapter('binance', { symbols: ['BTC-USDT'] })
    for (const frame of [binance(deep(20_000), '"65000.5"'), binance('7', deep(20_000))]) {
      const r = a.parse(frame, 1)
      expect(r).toMatchObject({ kind: 'error', error: { code: 'PROTOCOL' } })
      if (r.kind === 'error') expect(r.error.message).toMatch(/an array/)
    }
  })

  it('"0x1F4", "0b111" and " 65000.5" are not prices: each is a dead letter that quotes a short excerpt', () => {
    const a = createAdapter('binance', { symbols: ['BTC-USDT'] })
    for (const p of ['0x1F4', '0b111', ' 65000.5', '65000.5 ', 'Infinity', '1e999', '+5', '.5', '5.']) {
      const r = a.parse(binance('7', JSON.stringify(p)), 1)
      expect(r.kind, p).toBe('error')
      if (r.kind === 'error') {
        expect(r.error.message).toContain(JSON.stringify(p))
        expect(r.error.message).toMatch(/decimal/)
      }
    }
  })
})
