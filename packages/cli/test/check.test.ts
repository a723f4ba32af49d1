import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openLake } from '@k2/store'
import fc from 'fast-check'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { xmlText } from '../src/format/xml.js'
import { makeLake, runK2 } from './lake-fixture.js'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const GOLD_KEY = ['exchange', 'symbol', 'timeframe', 'start', 'source'] as const

interface Testcase {
  '@_name': string
  '@_classname': string
  failure?: { '@_message': string; '@_type': string; '#text': string }
}

/** The JUnit file as CI reads it: validated, then parsed to testsuites and testcases. */
function readJunit(path: string) {
  const xml = readFileSync(path, 'utf8')
  expect(XMLValidator.validate(xml)).toBe(true)
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml)
  const suites = doc.testsuites.testsuite as { '@_name': string; '@_failures': string; testcase: Testcase[] }[]
  return { root: doc.testsuites, suites, cases: suites.flatMap((s) => s.testcase) }
}

describe('k2 check', () => {
  let clean: Awaited<ReturnType<typeof makeLake>>
  let broken: Awaited<ReturnType<typeof makeLake>>

  beforeAll(async () => {
    clean = await makeLake({ rollup: true })
    broken = await makeLake({ rollup: true })
    // The planted defect: a 1m candle whose high is below its low (a corrupted or hand-edited gold row).
    const lake = await openLake(broken.dir)
    try {
      const gold = await lake.table('gold.ohlcv')
      const candle = (await gold.scan()).find((r) => r.timeframe === '1m' && r.symbol === 'ETH-USDT' && r.high > r.low)
      if (!candle) throw new Error('fixture has no 1m ETH-USDT candle with a range')
      await gold.replaceRows([{ ...candle, high: candle.low - 1 }], { key: [...GOLD_KEY] })
    } finally {
      await lake.close()
    }
  }, 120_000)
  afterAll(() => {
    clean?.cleanup()
    broken?.cleanup()
  })

  it('passes a clean lake: one ✓ line per check, exit 0', async () => {
    const r = await runK2(['check', '--lake', clean.dir])
    expect(r.error).toBeUndefined()
    expect(r.code).toBe(0)
    const lines = r.out.filter((l) => /^[✓✗] /.test(l))
    expect(lines).toHaveLength(15)
    expect(lines.every((l) => l.startsWith('✓'))).toBe(true)
    expect(r.stdout).toContain('check: 15 passed, 0 failed')
  })

  it('fails the planted defect: exit 1, the check named with its example row', async () => {
    const r = await runK2(['check', '--lake', broken.dir])
    expect(r.error).toBeUndefined() // run() resolves to 1: the report is the explanation
    expect(r.code).toBe(1)
    const line = r.out.find((l) => l.includes('candle.ohlc-order'))
    expect(line).toMatch(/^✗ candle\.ohlc-order\s+gold\.ohlcv\s+1 of \d+ candles/)
    expect(r.stdout).toMatch(/"symbol":"ETH-USDT","timeframe":"1m","start":"2026-11-24T/)
  })

  it('--json prints the report as JSON on stdout', async () => {
    const r = await runK2(['check', '--lake', broken.dir, '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.ok).toBe(false)
    expect(report.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { name: string }) => c.name)).toContain('candle.ohlc-order')
  })

  it('--junit through the built binary fails the CI job on the defect and passes the clean lake', () => {
    const out = join(broken.root, 'junit.xml')
    const failed = spawnSync(process.execPath, [bin, 'check', '--lake', broken.dir, '--junit', out], { encoding: 'utf8' })
    expect(failed.status).toBe(1)
    expect(failed.stderr.trim()).toBe(`wrote JUnit report ${out} (15 testcases, 2 failed)`) // no error message: a failed check is a result
    const { root, suites, cases } = readJunit(out)
    expect(Number(root['@_tests'])).toBe(15)
    expect(Number(root['@_failures'])).toBeGreaterThanOrEqual(1)
    expect(suites.map((s) => s['@_name'])).toEqual(['gold.ohlcv', 'silver.trades', 'bronze.coverage'])
    const ohlc = cases.find((c) => c['@_name'] === 'candle.ohlc-order')
    expect(ohlc?.failure?.['@_type']).toBe('candle.ohlc-order')
    expect(ohlc?.failure?.['@_message']).toMatch(/^1 candles: 1 candle breaks: low ≤ min\(open, close\)/)
    expect(ohlc?.failure?.['#text']).toContain('"symbol":"ETH-USDT"')
    expect(cases.find((c) => c['@_name'] === 'trade.duplicate-id')?.failure).toBeUndefined()

    const okOut = join(clean.root, 'junit.xml')
    const passed = spawnSync(process.execPath, [bin, 'check', '--lake', clean.dir, '--junit', okOut], { encoding: 'utf8' })
    expect(passed.status).toBe(0)
    const ok = readJunit(okOut)
    expect(Number(ok.root['@_failures'])).toBe(0)
    expect(ok.cases).toHaveLength(15)
    expect(ok.cases.every((c) => c.failure === undefined)).toBe(true)
  }, 60_000)

  it('with --symbol and --from/--to checks the selection in memory, without coverage', async () => {
    const r = await runK2([
      'check',
      '--lake',
      broken.dir,
      '--symbol',
      'BTC-USDT',
      '--from',
      '2026-11-24T00:10:00Z',
      '--to',
      '2026-11-24T01:00:00Z',
    ])
    expect(r.code).toBe(0) // the defect is in ETH-USDT
    expect(r.stdout).not.toContain('coverage.day-complete')
    const eth = await runK2(['check', '--lake', broken.dir, '--symbol', 'ETH-USDT', '--checks', 'candle.ohlc-order'])
    expect(eth.code).toBe(1)
  })

  it('bad usage exits 2; a missing lake exits 3', async () => {
    expect((await runK2(['check', '--lake', clean.dir, '--checks', 'candle.nope'])).code).toBe(2)
    expect((await runK2(['check', '--lake', clean.dir, '--exchange', 'nasdaq'])).code).toBe(2)
    const missing = await runK2(['check', '--lake', join(clean.root, 'no-such-lake')])
    expect(missing.code).toBe(3)
    expect(String(missing.error)).toContain('no lake at')
  })
})

/** A C0 control other than tab, LF and CR, or U+FFFE/U+FFFF: not allowed in XML 1.0. */
const forbidden = (ch: string) => {
  const c = ch.codePointAt(0) ?? 0
  return (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff
}

describe('JUnit text escaping', () => {
  it('any string survives as an attribute and as text: the XML stays valid and parses back', () => {
    const parser = new XMLParser({ ignoreAttributes: false, processEntities: true, htmlEntities: true, trimValues: false })
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const xml = `<a v="${xmlText(s)}">${xmlText(`x${s}x`)}</a>`
        expect(XMLValidator.validate(xml)).toBe(true)
        const expected = [...s].map((ch) => (forbidden(ch) ? '\uFFFD' : ch)).join('')
        const want = expected.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
        const parsed = parser.parse(xml).a
        expect(parsed['#text']).toBe(`x${want}x`)
        expect(parsed['@_v']).toBe(want)
      }),
      { numRuns: 300 },
    )
  })
})
