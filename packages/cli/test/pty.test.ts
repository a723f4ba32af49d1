import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtureTrades, makeLake, runK2, T0 } from './lake-fixture.js'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const SCRIPT = '/usr/bin/script' // util-linux: runs a command under a pseudo-terminal
const hasScript = existsSync(SCRIPT)
if (!hasScript) console.log(`pty tests skipped: ${SCRIPT} (util-linux) is not installed, so no pseudo-terminal can be made`)

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
const k2 = (...args: string[]) => [process.execPath, bin, ...args].map(shellQuote).join(' ')
const ESC = '\u001b'

describe('k2 in a terminal and in a pipe', () => {
  let fx: Awaited<ReturnType<typeof makeLake>>
  beforeAll(async () => {
    fx = await makeLake()
    const lake = await openLake(fx.dir)
    try {
      const t = await lake.table('silver.trades')
      for (let i = 1; i <= 4; i++) await t.append(fixtureTrades(10, { start: T0 + i * 3_600_000_000, firstId: 10_000 * i }))
    } finally {
      await lake.close()
    }
  }, 60_000)
  afterAll(() => fx?.cleanup())

  it.skipIf(!hasScript)('under a pseudo-terminal: the progress bar redraws in place and results are a boxed table', () => {
    const cmd = `${k2('compact', 'silver.trades', '--lake', fx.dir)} && ${k2('query', 'silver.trades', '--lake', fx.dir, '--select', 'id,price', '--limit', '2')}`
    const r = spawnSync(SCRIPT, ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm' }, timeout: 60_000 })
    expect(r.status).toBe(0)
    const screen = r.stdout
    // cli-progress redraws the bar: cursor to column 1 and clear to end of line, several times.
    expect(screen).toContain(`${ESC}[1Gcompact [`)
    expect((screen.match(new RegExp(`${ESC}\\[1G`, 'g')) ?? []).length).toBeGreaterThanOrEqual(2)
    expect(screen).toMatch(/files\/s · ETA/)
    expect(screen).toMatch(/compact: \d+ small files rewritten into \d+ across 1 table/)
    expect(screen).toMatch(/┌─+┬─+┐/)
    expect(screen).toMatch(/│ id\s+│ price\s+│/)
    expect(screen).toContain('2 rows  2 columns')
  })

  it('piped: results are CSV on stdout, progress is plain log lines on stderr, no escape codes', () => {
    const compact = spawnSync(process.execPath, [bin, 'compact', '--all', '--lake', fx.dir], { encoding: 'utf8' })
    expect(compact.status).toBe(0)
    expect(compact.stderr).toMatch(/^compact: \d+ small files rewritten into \d+ across 2 table\(s\)$/m)
    expect(compact.stderr).not.toContain(ESC)
    const q = spawnSync(process.execPath, [bin, 'query', 'silver.trades', '--lake', fx.dir, '--select', 'id,price', '--limit', '2'], {
      encoding: 'utf8',
    })
    expect(q.status).toBe(0)
    expect(q.stdout.split('\n')[0]).toBe('id,price')
    expect(q.stdout).not.toContain('┌')
  })

  it('piped into head, which closes early: exit 0 and no error', () => {
    // ~100 KB of CSV: more than a pipe holds, so k2 is still writing when head exits (EPIPE).
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${k2('query', 'silver.trades', '--lake', fx.dir)} | head -2`], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(0) // pipefail: k2's own exit status
    expect(r.stdout.trim().split('\n')).toHaveLength(2)
    expect(r.stderr).toBe('')
  })
})

describe('--help', () => {
  const mine = ['query', 'check', 'rollup', 'snapshots', 'expire', 'compact', 'vacuum', 'relocate', 'chart']
  it.each(mine)('k2 %s --help shows its options and examples', async (name) => {
    const r = await runK2([name, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: k2 ${name}`)
    expect(r.stdout).toContain('Examples:')
    expect(r.stdout).toMatch(new RegExp(`\\$ k2 ${name}|\\$ .*k2 ${name}`))
  })
})
