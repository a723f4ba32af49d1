import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openLake } from '@k2/store'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from './helpers.js'

const script = fileURLToPath(new URL('./scripts/commit-writer.ts', import.meta.url))
const tsx = join(fileURLToPath(new URL('../../../', import.meta.url)), 'node_modules', '.bin', 'tsx')

interface Run {
  child: ChildProcess
  acks: number[]
  done: Promise<number | null>
}

/** Starts a writer process; `onAck` sees every acknowledged batch as it arrives. */
function startWriter(args: string[], onAck?: (i: number, run: Run) => void): Run {
  const child = spawn(tsx, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const run: Run = { child, acks: [], done: Promise.resolve(null) }
  let buf = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString()
    let nl = buf.indexOf('\n')
    while (nl >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const m = /^ack (\d+)$/.exec(line)
      if (m) {
        run.acks.push(Number(m[1]))
        onAck?.(Number(m[1]), run)
      }
      nl = buf.indexOf('\n')
    }
  })
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  run.done = new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${err}`))
      else resolve(code)
    })
  })
  return run
}

describe('crash safety and concurrent commits (real processes)', () => {
  const { dir, cleanup } = tempDir()
  afterAll(() => cleanup())

  it('SIGKILL at random points across 100 commits: every acknowledged row is there exactly once', async () => {
    const lake = join(dir, 'crash')
    const COMMITS = 100
    const ROWS = 20
    const BASE = 1_000_000
    const acked = new Set<number>()
    let next = 0
    let kills = 0
    while (next < COMMITS) {
      // Kill after a random number of acks (0–15) plus a random delay, so kills land anywhere in
      // a commit: before, while or after the data files, manifests or metadata are written.
      const killAfter = Math.floor(Math.random() * 25)
      const delayMs = Math.floor(Math.random() * 40)
      const run = startWriter([lake, String(BASE), String(next), String(COMMITS), String(ROWS)], (i, r) => {
        acked.add(i)
        if (r.acks.length === killAfter + 1) setTimeout(() => r.child.kill('SIGKILL'), delayMs)
      })
      const code = await run.done
      if (code === null) kills++
      // The batch in flight when killed may or may not have committed: the restarted writer
      // sends it again (like a feed replaying after a reconnect) and dedup keeps it once.
      next = Math.max(next, ...run.acks.map((i) => i + 1))
    }
    expect(kills).toBeGreaterThan(3)
    const l = await openLake(lake)
    const rows = await (await l.table('silver.trades')).scan()
    const ids = rows.map((r) => Number(r.id))
    expect(new Set(ids).size).toBe(ids.length) // no row twice
    for (const i of acked) for (let k = 0; k < ROWS; k++) expect(ids).toContain(BASE + i * ROWS + k)
    expect(ids.length).toBe(COMMITS * ROWS)
    // leftovers of killed commits are orphans that removeOrphans deletes; the table still reads
    await (await l.table('silver.trades')).removeOrphans({ olderThan: 0 })
    expect(readdirSync(join(lake, 'silver', 'trades', 'metadata')).filter((f) => /^[0-9a-f-]{36}\.metadata\.json$/.test(f))).toEqual([])
    expect(await (await l.table('silver.trades')).scan()).toHaveLength(COMMITS * ROWS)
    l.close()
  }, 240_000)

  it('two processes commit 100 times each to one table and no commit is lost', async () => {
    const lake = join(dir, 'race')
    const a = startWriter([lake, '1000000', '0', '100', '10'])
    const b = startWriter([lake, '2000000', '0', '100', '10'])
    await Promise.all([a.done, b.done])
    expect(a.acks).toHaveLength(100)
    expect(b.acks).toHaveLength(100)
    const l = await openLake(lake)
    const t = await l.table('silver.trades')
    const history = await t.history()
    expect(history).toHaveLength(200)
    expect(history.at(-1)?.totalRows).toBe(2000)
    const ids = new Set((await t.scan()).map((r) => Number(r.id)))
    expect(ids.size).toBe(2000)
    for (let i = 0; i < 1000; i++) {
      expect(ids.has(1_000_000 + i)).toBe(true)
      expect(ids.has(2_000_000 + i)).toBe(true)
    }
    l.close()
  }, 240_000)
})
