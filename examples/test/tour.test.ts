import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The README's tour runs as written: extracted from the block after `<!-- tour -->`, saved as a file
// in examples/ (where `@k2/*` resolve to the built packages, as in a user's project) and run with tsx
// from an empty directory, where it leaves its lake.

const examples = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(examples, '..', 'README.md'), 'utf8')

function tourCode(): string {
  const block = /<!-- tour -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README.md has no ```ts block after <!-- tour -->')
  return block
}

describe('the README tour', () => {
  it('is about thirty lines', () => {
    expect(tourCode().trim().split('\n').length).toBeLessThanOrEqual(36)
  })

  it('runs as written: trades piped, candles checked, queried and replayed at their close', () => {
    const dir = join(examples, `.tour-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    const cwd = mkdtempSync(join(tmpdir(), 'k2-tour-'))
    try {
      writeFileSync(join(dir, 'tour.ts'), tourCode())
      const r = spawnSync(join(examples, 'node_modules', '.bin', 'tsx'), [join(dir, 'tour.ts')], {
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(r.status, r.stdout + r.stderr).toBe(0)
      expect(r.stdout).toMatch(/trades: 500,/)
      expect(r.stdout).toMatch(/check: \d+ passed, 0 failed/)
      const candles = [...r.stdout.matchAll(/^(\S+Z) [\d.]+ [\d.]+ [\d.]+ ([\d.]+) [\d.]+$/gm)]
      const closes = [...r.stdout.matchAll(/^closed at (\S+Z) ([\d.]+)$/gm)]
      expect(candles.length).toBeGreaterThan(0)
      expect(closes.length).toBeGreaterThan(0)
      // Each closed candle arrives at start + 1m, with the close gold has for it; the last candle is still open.
      for (const [, at, close] of closes) {
        const start = new Date(Date.parse(at as string) - 60_000).toISOString().replace('.000Z', '.000000Z')
        expect(candles.find((c) => c[1] === start)?.[2]).toBe(close)
      }
      expect(r.stdout).toMatch(/replayed at snapshot silver\.trades@\d+/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
