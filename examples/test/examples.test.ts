import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Every example runs as a user runs it (`npx tsx examples/<name>.ts`), against the simulators, on
// the built packages. A failing example fails CI.

const examples = fileURLToPath(new URL('..', import.meta.url))

function runExample(name: string, args: string[]): { status: number | null; out: string; err: string } {
  const [cmd, cmdArgs] = name.endsWith('.sh')
    ? ['bash', [join(examples, name), ...args]]
    : [process.execPath, ['--import', 'tsx', join(examples, name), ...args]]
  const r = spawnSync(cmd, cmdArgs, { cwd: examples, encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, out: r.stdout, err: r.stderr }
}

function example(name: string, args: string[]): { out: string; err: string } {
  const r = runExample(name, args)
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}:\n${r.out}\n${r.err}`)
  return r
}

/** A lake built by the build-lake example, shared by the examples that read one. */
let built: { lake: string; out: string } | undefined
function builtLake(): { lake: string; out: string } {
  if (built) return built
  const lake = join(mkdtempSync(join(tmpdir(), 'k2-examples-')), 'lake')
  built = { lake, out: example('build-lake.ts', ['--sim', '--seconds', '3', '--lake', lake]).out }
  return built
}

describe('examples', () => {
  it('live-trades prints trades from all four simulated exchanges', () => {
    const { out } = example('live-trades.ts', ['--sim', '--seconds', '2'])
    for (const exchange of ['binance', 'kraken', 'coinbase', 'bitstamp']) expect(out).toMatch(new RegExp(`Z  ${exchange}\\s+BTC-`))
  })

  it('build-lake keeps every printed trade and rolls candles up; candles-chart draws them', () => {
    const { lake, out } = builtLake()
    const trades = Number(/silver\.trades\s+(\d+) rows/.exec(out)?.[1])
    expect(trades).toBeGreaterThan(100)
    expect(out).toContain(`and ${trades} trades`)
    expect(Number(/gold\.ohlcv\s+(\d+) rows/.exec(out)?.[1])).toBeGreaterThan(0)

    const svg = join(mkdtempSync(join(tmpdir(), 'k2-chart-')), 'chart.svg')
    const drawn = example('candles-chart.ts', ['--lake', lake, '--out', svg]).out
    expect(Number(/(\d+) candles drawn to /.exec(drawn)?.[1])).toBeGreaterThan(10)
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/)
  })

  it('backtest prints the same PnL on two runs, and the same again at the snapshot it printed', () => {
    const { lake } = builtLake()
    const svg = join(mkdtempSync(join(tmpdir(), 'k2-backtest-')), 'equity.svg')
    const first = example('backtest.ts', ['--lake', lake, '--out', svg]).out
    const pnl = /PnL (-?\d+\.\d+)/.exec(first)?.[1]
    expect(pnl).toBeDefined()
    expect(first).toMatch(/[1-9]\d* fills/) // the strategy traded: a PnL of nothing proves nothing
    const snapshot = /at snapshot (\S+)/.exec(first)?.[1] as string
    expect(example('backtest.ts', ['--lake', lake, '--out', svg]).out).toBe(first)
    expect(example('backtest.ts', ['--lake', lake, '--out', svg, '--snapshot', snapshot]).out).toBe(first)
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/)
  })

  it('import-history imports real futures trades as binance-futures, candles them, and a re-import writes nothing', () => {
    const lake = join(mkdtempSync(join(tmpdir(), 'k2-import-')), 'lake')
    const { out } = example('import-history.ts', ['--lake', lake])
    expect(out).toContain('imported 300 of 300 rows (0 already in the lake, 0 bad)')
    const trades = [...out.matchAll(/ (\d+) trades$/gm)].reduce((n, m) => n + Number(m[1]), 0)
    expect(trades).toBe(300) // every imported trade is in exactly one candle
    expect(out).toContain('imported again: 0 new rows, 300 duplicates skipped')
  })

  it('book-ladder draws a live ladder whose best bid is below its best ask', () => {
    const { out } = example('book-ladder.ts', ['--sim', '--seconds', '2'])
    const ladders = [...out.matchAll(/^\s+[\d.]+ @ ([\d.]+)\s+\|\s+[\d.]+ @ ([\d.]+)/gm)]
    expect(ladders.length).toBeGreaterThan(0)
    for (const [, bid, ask] of ladders) expect(Number(bid)).toBeLessThan(Number(ask))
  })

  it('ci-validate passes a lake whose invariants hold, and fails the job (exit 1) naming the check that broke', () => {
    const { lake } = builtLake()
    const dir = mkdtempSync(join(tmpdir(), 'k2-ci-'))
    // The lake listened for seconds, so its days are not whole: leave that check out first...
    const ok = runExample('ci-validate.sh', [lake, join(dir, 'ok.xml'), '--skip', 'coverage.day-complete'])
    expect(ok.status, ok.out + ok.err).toBe(0)
    expect(readFileSync(join(dir, 'ok.xml'), 'utf8')).toMatch(/<testsuites [^>]*tests="14" failures="0"/)
    // ...then run every check, as a nightly job would: the incomplete days fail it.
    const all = runExample('ci-validate.sh', [lake, join(dir, 'all.xml')])
    expect(all.status).toBe(1)
    expect(readFileSync(join(dir, 'all.xml'), 'utf8')).toMatch(/<testcase name="coverage\.day-complete"[^>]*>\s*<failure/)
  })
})
