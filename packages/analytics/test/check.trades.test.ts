import { type CheckReport, type CheckResult, check } from '@k2/analytics'
import { K2Error, type Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { MINUTE, makeTrades, T0 } from './check-fixtures.js'

function result(report: CheckReport, name: string): CheckResult {
  const r = report.checks.find((c) => c.name === name)
  if (!r) throw new Error(`no ${name} in the report`)
  return r
}

const kraken = (trades: Trade[]) => trades.map((t) => ({ ...t, exchange: 'kraken' as const, id: String(Number(t.id) + 5000) }))

describe('check(trades): a clean fixture', () => {
  it('passes every trade check, as core Trades and as silver rows, in any input order', async () => {
    const trades = [...makeTrades(120), ...kraken(makeTrades(120))]
    const rows = trades.map(({ type: _, recvTs, ...t }) => ({ ...t, recv_ts: recvTs }))
    for (const input of [trades, rows, trades.slice().reverse()]) {
      const report = await check(input)
      expect(report.ok, report.toString()).toBe(true)
      expect(report.checks.map((c) => c.name)).toEqual([
        'trade.duplicate-id',
        'trade.id-gap',
        'trade.ts-order',
        'trade.price-jump',
        'trade.cross-exchange',
      ])
      expect(result(report, 'trade.duplicate-id').checked).toBe(240)
      expect(result(report, 'trade.cross-exchange').checked).toBe(20) // 20 minutes with both exchanges
    }
  })
})

describe('check(trades): each planted defect is caught, with its count and row', () => {
  it('trade.duplicate-id: every repeat of (exchange, symbol, id) is one row', async () => {
    const trades = makeTrades(60)
    const dup = { ...(trades[5] as Trade), price: 1 }
    const r = result(await check([...trades, dup], { checks: ['trade.duplicate-id'] }), 'trade.duplicate-id')
    expect([r.count, r.examples]).toEqual([1, [dup]])
    // the same id on another symbol is not a repeat
    expect((await check([...trades, { ...dup, symbol: 'ETH-USDT' }], { checks: ['trade.duplicate-id'] })).ok).toBe(true)
  })

  it('trade.id-gap: each missing run of ids is one range', async () => {
    const trades = makeTrades(60).filter((t) => !['1010', '1011', '1012', '1040'].includes(t.id))
    const r = result(await check(trades, { checks: ['trade.id-gap'] }), 'trade.id-gap')
    expect(r.count).toBe(2)
    expect(r.unit).toBe('ranges')
    expect(r.examples).toEqual([
      { exchange: 'binance', symbol: 'BTC-USDT', fromId: '1010', toId: '1012', missing: 3, after: '1009', before: '1013' },
      { exchange: 'binance', symbol: 'BTC-USDT', fromId: '1040', toId: '1040', missing: 1, after: '1039', before: '1041' },
    ])
  })

  it('trade.id-gap: skips exchanges whose ids are global (Bitstamp) and symbols with non-integer ids', async () => {
    const gapped = makeTrades(60).filter((t) => t.id !== '1010')
    const bitstamp = gapped.map((t) => ({ ...t, exchange: 'bitstamp' as const }))
    expect((await check(bitstamp, { checks: ['trade.id-gap'] })).ok).toBe(true)
    expect(result(await check(bitstamp, { checks: ['trade.id-gap'], idGap: { exchanges: ['bitstamp'] } }), 'trade.id-gap').count).toBe(1)
    const uuid = [...gapped, { ...(gapped[0] as Trade), id: 'a1b2' }]
    const r = result(await check(uuid, { checks: ['trade.id-gap'] }), 'trade.id-gap')
    expect(r.passed).toBe(true)
    expect(r.message).toContain('1 symbols with non-integer ids skipped')
  })

  it('trade.ts-order: ordered by id, a step back beyond the tolerance', async () => {
    const trades = makeTrades(60)
    const late = Object.assign(trades[7] as Trade, { ts: (trades[6] as Trade).ts - 2_000_000 })
    const r = result(await check(trades, { checks: ['trade.ts-order'] }), 'trade.ts-order')
    expect(r.count).toBe(1)
    expect(r.examples).toEqual([{ ...late, previousId: '1006', previousTs: (trades[6] as Trade).ts }])
    // within the tolerance
    late.ts = (trades[6] as Trade).ts - 500
    expect((await check(trades, { checks: ['trade.ts-order'] })).ok).toBe(true)
    expect(result(await check(trades, { checks: ['trade.ts-order'], tsOrder: { toleranceUs: 0 } }), 'trade.ts-order').count).toBe(1)
  })

  it('trade.price-jump: a lone bad print counts once; a lasting jump counts once', async () => {
    const trades = makeTrades(120)
    const print = Object.assign(trades[30] as Trade, { price: (trades[30] as Trade).price * 1.2 })
    for (const t of trades.slice(80)) t.price *= 1.1
    const r = result(await check(trades, { checks: ['trade.price-jump'] }), 'trade.price-jump')
    expect(r.count).toBe(2)
    expect(r.examples).toEqual([
      expect.objectContaining({
        ...print,
        previousPrice: (trades[29] as Trade).price,
        logReturn: Math.log(print.price / (trades[29] as Trade).price),
      }),
      expect.objectContaining({ ...trades[80], logReturn: Math.log((trades[80] as Trade).price / (trades[79] as Trade).price) }),
    ])
    expect((r.examples[0] as { deviations: number }).deviations).toBeGreaterThan(10)
    // a threshold above both jumps passes
    expect((await check(trades, { checks: ['trade.price-jump'], priceJump: { minReturn: 0.5 } })).ok).toBe(true)
  })

  it('trade.cross-exchange: a minute where exchanges disagree by more than the tolerance', async () => {
    const binance = makeTrades(120)
    const other = kraken(makeTrades(120))
    for (const t of other.filter((x) => x.ts >= T0 + 3 * MINUTE && x.ts < T0 + 4 * MINUTE)) t.price *= 1.02
    const r = result(await check([...binance, ...other], { checks: ['trade.cross-exchange'] }), 'trade.cross-exchange')
    expect(r.count).toBe(1)
    const [example] = r.examples as { bucket: number; spread: number; binance: number; kraken: number }[]
    expect(example?.bucket).toBe(T0 + 3 * MINUTE)
    const { binance: b, kraken: k } = example as { binance: number; kraken: number }
    expect(k).toBeCloseTo(b * 1.02, 6)
    expect(example?.spread).toBe((k - b) / ((k + b) / 2)) // (max − min) / median; the median of two is their mean
    expect((await check([...binance, ...other], { checks: ['trade.cross-exchange'], divergence: { tolerance: 0.03 } })).ok).toBe(true)
    const last = await check([...binance, ...other], { checks: ['trade.cross-exchange'], divergence: { price: 'last', timeframe: '5m' } })
    expect(result(last, 'trade.cross-exchange').count).toBe(0) // the last trade of 00:00–00:05 is after the defect minute
  })
})

describe('check(): bad input', () => {
  it('refuses what is neither candles nor trades, naming the row', async () => {
    await expect(check([{ a: 1 }] as never)).rejects.toThrow(/could not tell what row 0 is/)
    await expect(check([makeTrades(1)[0], { id: 1 }] as never)).rejects.toThrow(/trade 1 is not a trade/)
    await expect(check(42 as never)).rejects.toSatisfy((e) => K2Error.isInstance(e) && e.code === 'VALIDATION')
  })

  it('refuses bad options with a message that says what to pass', async () => {
    const trades = makeTrades(3)
    await expect(check(trades, { checks: ['trade.nope' as never] })).rejects.toThrow(
      /unknown check "trade.nope"; known checks: candle.ohlc-order/,
    )
    await expect(check(trades, { examples: -1 })).rejects.toThrow(/examples must be a whole number ≥ 0/)
    await expect(check(trades, { rollup: { pairs: [['5m', '7m']] } })).rejects.toThrow(/whole multiple/)
    await expect(check(trades, { divergence: { timeframe: '1x' as never } })).rejects.toThrow(/invalid timeframe/)
    await expect(check(trades, { priceJump: { deviations: 0 } })).rejects.toSatisfy((e) => K2Error.isInstance(e) && e.code === 'VALIDATION')
  })

  it('takes an async iterable too', async () => {
    const trades = makeTrades(60).filter((t) => t.id !== '1010')
    const stream = (async function* () {
      yield* trades
    })()
    expect((await check(stream)).summary()).toBe('check: 4 passed, 1 failed (trade.id-gap: 1 range)')
  })

  it('an empty input checks nothing and is ok', async () => {
    const report = await check([])
    expect([report.ok, report.checks.length, report.summary()]).toEqual([true, 0, 'check: 0 passed, 0 failed'])
  })
})
