import { rmSync } from 'node:fs'
import { demo } from '@k2/cli'
import { describe, expect, it } from 'vitest'

describe('k2 demo', () => {
  it('runs four simulated exchanges into the lake and keeps every trade exactly once', async () => {
    const lines: string[] = []
    const report = await demo({ seconds: 1.5, out: (l) => lines.push(l) })
    try {
      expect(report.printed).toBeGreaterThan(0)
      expect(report.stored).toBe(report.printed)
      expect(report.distinct).toBe(report.stored)
      // The trouble the demo makes was met: a healed gap, a dead letter, a reconnect.
      expect(report.gapsHealed).toBeGreaterThanOrEqual(1)
      expect(report.deadLetters).toBeGreaterThanOrEqual(1)
      expect(report.reconnects).toBeGreaterThanOrEqual(1)
      expect(report.pipe.frames).toBeGreaterThan(0)
      const text = lines.join('\n')
      expect(text).toContain('silver.trades by exchange and symbol')
      expect(text).toContain('1-minute OHLCV')
      expect(text).toContain(`the lake holds ${report.stored}`)
    } finally {
      rmSync(report.lake, { recursive: true, force: true })
    }
  }, 120_000)
})
