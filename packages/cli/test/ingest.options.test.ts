import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { openLake } from '@k2/store'
import { InvalidArgumentError } from 'commander'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { resolveMarkets, symbolsArg } from '../src/commands/ingest-options.js'
import { exitCodeOf } from '../src/exit-codes.js'
import { run } from '../src/run.js'
import { metricsAddressArg } from '../src/telemetry/metrics-address.js'

/** Runs `k2 ingest …` in-process; resolves to [exit code, message]. */
async function ingest(args: string[]): Promise<[number, string]> {
  const err: string[] = []
  try {
    return [await run(['ingest', ...args], { out: () => {}, err: (l) => err.push(l) }), err.join('\n')]
  } catch (e) {
    return [exitCodeOf(e), K2Error.from(e).message]
  }
}

describe('k2 ingest options', () => {
  it.each([
    [['--metrics', 'nope'], /expected \[host\]:port, e\.g\. :9464/],
    [['--metrics', ':99999'], /expected \[host\]:port/],
    [['--exchange', 'binanse'], /unknown exchange "binanse": expected one of binance, kraken, coinbase, bitstamp/],
    [['--symbols', 'okx:BTC-USDT'], /unknown exchange "okx"/],
    [['--symbols', 'btc_usdt'], /BASE-QUOTE, e\.g\. BTC-USDT/],
    [['--exchange', 'binance', '--symbols', 'kraken:BTC-USD'], /--symbols names kraken, which is not in --exchange binance/],
    [['--url', 'binance'], /expected exchange=URL, e\.g\. binance=ws:\/\//],
    [['--url', 'binance=http://x'], /expected exchange=URL/],
    [['--exchange', 'kraken', '--url', 'binance=ws://127.0.0.1:1'], /names binance, which is not captured/],
    [['--sim', '--url', 'binance=ws://127.0.0.1:1'], /cannot be used with/],
    [['--sim', '--live'], /cannot be used with/],
    [['--flush-ms', '0'], /positive whole number/],
    [['--duration', '-1'], /positive number/],
  ])('%j exits 2 with a message that says what fits', async (args, message) => {
    const [code, text] = await ingest(args)
    expect(code).toBe(2)
    expect(text).toMatch(message)
  })

  it('a metrics port already taken exits 2 and says to pick another', async () => {
    const busy = createServer()
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()))
    const port = (busy.address() as { port: number }).port
    const lake = mkdtempSync(join(tmpdir(), 'k2-ingest-opts-'))
    try {
      const [code, text] = await ingest(['--sim', '--lake', lake, '--metrics', `127.0.0.1:${port}`])
      expect(code).toBe(2)
      expect(text).toMatch(/cannot serve metrics on 127\.0\.0\.1:\d+ \(EADDRINUSE\): pick another --metrics port/)
    } finally {
      busy.close()
      rmSync(lake, { recursive: true, force: true })
    }
  })

  it('runs --sim in-process for --duration and stops with a summary, exit 0', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'k2-ingest-opts-'))
    const out: string[] = []
    const err: string[] = []
    try {
      const code = await run(['ingest', '--sim', '--exchange', 'coinbase', '--lake', lake, '--duration', '1.5', '--flush-ms', '200'], {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      })
      expect(code).toBe(0)
      const summary = out.join('\n')
      const committed = Number(/(\d+) trades committed/.exec(summary)?.[1])
      expect(committed).toBeGreaterThan(0)
      expect(summary).toMatch(/stopped \(--duration 1\.5 s\)/)
      expect(err.join('\n')).toMatch(/ingest coinbase BTC-USD → .* \(simulated\)/)
      // The simulated exchange trades on the wall clock: exchange times are now, lag is small.
      const l = await openLake(lake)
      const rows = await (await l.table('silver.trades')).scan()
      await l.close()
      const now = Date.now() * 1000
      for (const r of rows) {
        expect(now - r.ts).toBeLessThan(120_000_000)
        expect(r.recv_ts - r.ts).toBeLessThan(5_000_000)
      }
    } finally {
      rmSync(lake, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('--metrics [host]:port', () => {
  it('listens on loopback unless a host is named', () => {
    expect(metricsAddressArg(':9464')).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(metricsAddressArg('9464')).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(metricsAddressArg('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 })
    expect(metricsAddressArg('[::1]:9464')).toEqual({ host: '::1', port: 9464 })
    expect(metricsAddressArg('capture-1.local:0')).toEqual({ host: 'capture-1.local', port: 0 })
  })

  it('reads back every host:port it is given and refuses ports out of range', () => {
    const host = fc.oneof(
      fc.constant(''),
      fc.ipV4(),
      fc.ipV6().map((h) => `[${h}]`),
      fc.domain(),
    )
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65_535 }), (h, port) => {
        const a = metricsAddressArg(`${h}:${port}`)
        expect(a.port).toBe(port)
        expect(a.host).toBe(h === '' ? '127.0.0.1' : h.replace(/^\[(.*)\]$/, '$1'))
      }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 65_536, max: 99_999 }), (port) => {
        expect(() => metricsAddressArg(`:${port}`)).toThrow(InvalidArgumentError)
      }),
    )
  })
})

describe('--symbols', () => {
  it('gives prefixed symbols to their exchange and plain ones to every exchange', () => {
    const given = ['binance:BTC-USDT,ETH-USDT', 'kraken:BTC-USD', 'SOL-USD'].reduce(
      (acc, t) => symbolsArg(t, acc),
      [] as ReturnType<typeof symbolsArg>,
    )
    expect(Object.fromEntries(resolveMarkets(['binance', 'kraken', 'coinbase'], given))).toEqual({
      binance: ['BTC-USDT', 'ETH-USDT', 'SOL-USD'],
      kraken: ['BTC-USD', 'SOL-USD'],
      coinbase: ['SOL-USD'],
    })
  })

  it('defaults: the named exchanges, else all four, each with its BTC market', () => {
    expect(Object.fromEntries(resolveMarkets(undefined, symbolsArg('kraken:ETH-USD')))).toEqual({ kraken: ['ETH-USD'] })
    expect(Object.fromEntries(resolveMarkets(undefined, []))).toEqual({
      binance: ['BTC-USDT'],
      kraken: ['BTC-USD'],
      coinbase: ['BTC-USD'],
      bitstamp: ['BTC-USD'],
    })
  })
})
