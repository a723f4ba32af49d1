import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Every example runs as a user runs it (`npx tsx examples/<name>.ts`), against the simulators, on
// the built packages. A failing example fails CI.

const examples = fileURLToPath(new URL('..', import.meta.url))

function example(name: string, args: string[]): { out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(examples, name), ...args], {
    cwd: examples,
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (r.status !== 0) throw new Error(`${name} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`)
  return { out: r.stdout, err: r.stderr }
}

describe('examples', () => {
  it('live-trades prints trades from all four simulated exchanges', () => {
    const { out } = example('live-trades.ts', ['--sim', '--seconds', '2'])
    for (const exchange of ['binance', 'kraken', 'coinbase', 'bitstamp']) expect(out).toMatch(new RegExp(`Z  ${exchange}\\s+BTC-`))
  })

  it('build-lake keeps every printed trade and rolls candles up; candles-chart draws them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2-examples-'))
    const lake = join(dir, 'lake')
    const built = example('build-lake.ts', ['--sim', '--seconds', '2', '--lake', lake]).out
    const trades = Number(/silver\.trades\s+(\d+) rows/.exec(built)?.[1])
    expect(trades).toBeGreaterThan(100)
    expect(built).toContain(`and ${trades} trades`)
    expect(Number(/gold\.ohlcv\s+(\d+) rows/.exec(built)?.[1])).toBeGreaterThan(0)

    const svg = join(dir, 'chart.svg')
    const drawn = example('candles-chart.ts', ['--lake', lake, '--out', svg]).out
    expect(drawn).toMatch(/\d+ candles drawn to /)
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/)
  })
})
