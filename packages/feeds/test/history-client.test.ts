import { K2Error, systemClock } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdapter } from '../src/adapters/index.js'
import { HistoryClient } from '../src/history-client.js'
import { type ExchangeSimulator, startSimulator } from '../src/testing/simulator.js'

let sim: ExchangeSimulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

function client(exchange: 'binance' | 'kraken' | 'coinbase', restUrl: string, retries = 3, channel: 'trades' | 'aggTrades' = 'trades') {
  const adapter = createAdapter(exchange, { channel })
  if (adapter.history === undefined) throw new Error('no history')
  return new HistoryClient(adapter, adapter.history, {
    restUrl,
    minIntervalMs: 0,
    retries,
    retryMinMs: 5,
    maxPages: 100,
    clock: systemClock,
    signal: new AbortController().signal,
  })
}

describe('HistoryClient against the simulator REST endpoints', () => {
  for (const [exchange, symbol, channel] of [
    ['binance', 'BTC-USDT', 'trades'],
    ['binance', 'BTC-USDT', 'aggTrades'],
    ['kraken', 'BTC-USD', 'trades'],
    ['coinbase', 'BTC-USD', 'trades'],
  ] as const) {
    it(`${exchange} ${channel}: fetches an id range over several pages, oldest first, with the tape's values`, async () => {
      sim = await startSimulator({ exchange, symbols: [symbol], channel })
      const tape = sim.publish(2600)
      const from = tape[100]?.id as number
      const to = tape[2450]?.id as number
      const got = await client(exchange, sim.restUrl, 3, channel).fetchRange(symbol, from, to, tape[99]?.ts as number)
      expect(got.map((t) => Number(t.id))).toEqual(tape.slice(100, 2451).map((t) => t.id))
      expect(got.map((t) => [t.price, t.qty, t.side, t.ts])).toEqual(tape.slice(100, 2451).map((t) => [t.price, t.qty, t.side, t.ts]))
      expect(sim.restRequests).toBeGreaterThanOrEqual(3)
    })
  }

  it('retries rate-limited requests (HTTP 429) with backoff', async () => {
    sim = await startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'], restFailEvery: 2 })
    const tape = sim.publish(50)
    const got = await client('binance', sim.restUrl).fetchRange('BTC-USDT', tape[0]?.id as number, tape[49]?.id as number, 0)
    expect(got).toHaveLength(50)
  })

  it('gives up with a PROTOCOL error on a refused request (HTTP 4xx) and a CONNECTION error when nothing answers', async () => {
    sim = await startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'] })
    const refused = await client('binance', sim.restUrl)
      .fetchRange('ETH-USDT', 1, 5, 0)
      .catch((e: unknown) => e)
    expect(K2Error.isInstance(refused) && refused.code).toBe('PROTOCOL')
    const down = await client('binance', 'http://127.0.0.1:9', 1)
      .fetchRange('BTC-USDT', 1, 5, 0)
      .catch((e: unknown) => e)
    expect(K2Error.isInstance(down) && down.code).toBe('CONNECTION')
  })
})
