import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rollup } from '@k2/analytics'
import type { Trade } from '@k2/core'
import { openLake } from '@k2/store'

export const T0 = Date.UTC(2026, 10, 24) * 1000 // 2026-11-24T00:00:00Z, µs
export const TIMEFRAMES = ['1m', '5m', '1h'] as const

export const MARKETS = [
  ['binance', 'BTC-USDT', 90_000],
  ['binance', 'ETH-USDT', 3_000],
  ['kraken', 'BTC-USDT', 90_010],
] as const

/**
 * Trades a clean lake holds: per exchange and symbol ids counting up by one, a smooth price walk
 * (no jump a check would flag), one trade every `stepUs`, both exchanges within 1% of each other.
 */
export function fixtureTrades(perMarket: number, opts: { start?: number; stepUs?: number; firstId?: number } = {}): Trade[] {
  const { start = T0, stepUs = 7_000_000, firstId = 1000 } = opts
  const out: Trade[] = []
  for (const [m, [exchange, symbol, base]] of MARKETS.entries()) {
    for (let i = 0; i < perMarket; i++) {
      const ts = start + i * stepUs + m * 1000
      const price = Math.round((base + Math.sin(i / 20) * base * 0.001) * 100) / 100
      out.push({
        type: 'trade',
        exchange,
        symbol,
        id: String(firstId + i),
        price,
        qty: Math.round((0.01 + (i % 13) * 0.003) * 1e6) / 1e6,
        side: i % 3 === 0 ? 'sell' : 'buy',
        ts,
        recvTs: ts + 2_000,
      })
    }
  }
  return out
}

/** A temp dir holding a lake with trades (and gold, when `rollup`); `cleanup` removes it. */
export async function makeLake(
  opts: { trades?: number; rollup?: boolean } = {},
): Promise<{ root: string; dir: string; cleanup: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'k2-cli-'))
  const dir = join(root, 'lake')
  const lake = await openLake(dir)
  try {
    await (await lake.table('silver.trades')).append(fixtureTrades(opts.trades ?? 600))
    // Subscribed all day, as a live recording is: coverage.day-complete holds.
    await (await lake.table('bronze.coverage')).append(
      MARKETS.map(([exchange, symbol]) => ({ exchange, symbol, kind: 'subscribed', start_ts: T0, end_ts: T0 + 86_400_000_000 })),
    )
    if (opts.rollup) await rollup(lake, { timeframes: [...TIMEFRAMES], retention: { '1m': null, '5m': null, '1h': null } })
  } finally {
    await lake.close()
  }
  return { root, dir, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Runs `k2 …` in-process, capturing stdout and stderr lines. */
export async function runK2(argv: string[], io: { stdoutIsTTY?: boolean; isTTY?: boolean; columns?: number } = {}) {
  const { run } = await import('@k2/cli')
  const out: string[] = []
  const err: string[] = []
  let code: number
  let error: unknown
  try {
    code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l), ...io })
  } catch (e) {
    error = e
    const { exitCodeOf } = await import('@k2/cli')
    code = exitCodeOf(e)
  }
  return { code, out, err, error, stdout: out.join('\n'), stderr: err.join('\n') }
}
