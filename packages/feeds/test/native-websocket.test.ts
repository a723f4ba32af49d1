import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const child = fileURLToPath(new URL('./native-websocket.child.ts', import.meta.url))

describe('the global (WHATWG) WebSocket, as on Deno and in browsers', () => {
  it('delivers every trade once and in order; a slow consumer drops the unpausable socket and the gap is healed', () => {
    // Node 20 has a global WebSocket only behind a flag; tsx runs the TypeScript child.
    const out = execFileSync(process.execPath, ['--experimental-websocket', '--no-warnings', '--import', 'tsx', child], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    })
    const r = JSON.parse(out.trim().split('\n').at(-1) as string) as {
      native: boolean
      exact: boolean
      maxBuffered: number
      reconnects: number
      gapsHealed: number
      maxGap: number
    }
    expect(r.native).toBe(true)
    expect(r.exact).toBe(true)
    // Bounded: the buffer (100), plus a healed gap (delivered at once), plus frames already in flight.
    expect(r.maxBuffered).toBeLessThanOrEqual(100 + r.maxGap + 200)
    expect(r.reconnects).toBeGreaterThanOrEqual(1)
    expect(r.gapsHealed).toBeGreaterThanOrEqual(1)
  }, 150_000)
})
