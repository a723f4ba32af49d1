// The CommonJS build must run, not only load: a feed opened from require('@k2/feeds') once spun at
// 100% CPU forever, because the CJS interop turned p-retry's default export into its namespace.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const dist = join(realpathSync(pkgDir), 'dist')
const root = fileURLToPath(new URL('../../../', import.meta.url))
const CHILD_TIMEOUT_MS = 30_000

/**
 * Opens a simulator feed with a gap in it (so both users of p-retry run: the reconnect loop and the REST
 * history that heals the gap) and prints which file `@k2/feeds` resolved to, the ids the feed emitted,
 * the tape's ids and the REST requests made.
 */
const probeBody = `
  const sim = await startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'] })
  const feed = openFeed({ exchange: 'binance', symbols: ['BTC-USDT'], url: sim.url, restUrl: sim.restUrl, historyMinIntervalMs: 0 })
  feed.on('status', (s) => {
    if (s.state !== 'subscribed') return
    sim.publish(1)
    sim.skipNext(2)
    sim.publish(3)
  })
  const ids = []
  for await (const trade of feed) {
    ids.push(trade.id)
    if (ids.length === 4) break
  }
  const tape = sim.trades('BTC-USDT').map((t) => String(t.id))
  console.log(JSON.stringify({ entry: require.resolve('@k2/feeds'), ids, tape, restRequests: sim.restRequests }))
  await sim.close()
`
const cjsProbe = `const { openFeed } = require('@k2/feeds')
const { startSimulator } = require('@k2/feeds/testing')
;(async () => {${probeBody}})()`
// TypeScript with import syntax, which tsx compiles to CommonJS in a package without "type": "module".
const tsProbe = `import { openFeed } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'
;(async () => {${probeBody}})()`

/** Runs a child Node; a child that hangs is killed after CHILD_TIMEOUT_MS and reported, so the test fails instead of waiting forever. */
function run(args: string[], cwd: string): Promise<{ entry: string; ids: string[]; tape: string[]; restRequests: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err?.killed)
        return reject(new Error(`no result within ${CHILD_TIMEOUT_MS} ms: the CommonJS build hangs (stderr: ${stderr.slice(0, 500)})`))
      if (err) return reject(new Error(`${err.message}\n${stderr}`))
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))
    })
  })
}

/** True when Node loads this file as an ES module (what a require() of it would need require(esm) for). */
function isEsmFile(file: string): boolean {
  if (file.endsWith('.mjs')) return true
  if (file.endsWith('.cjs')) return false
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module'
  }
  return false
}

describe('the CommonJS build', () => {
  beforeAll(() => {
    if (!existsSync(join(dist, 'index.cjs'))) throw new Error('@k2/feeds is not built: run "pnpm build" first (pnpm test does)')
  })

  it('requires no package that ships only ESM (those are bundled in: see tsup.config.ts)', () => {
    const resolve = createRequire(join(pkgDir, 'package.json')).resolve
    const esmOnly: string[] = []
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.cjs'))) {
      for (const [, spec] of readFileSync(join(dist, file), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)) {
        if (spec === undefined || isBuiltin(spec) || spec.startsWith('.')) continue
        if (isEsmFile(resolve(spec))) esmOnly.push(`${file} requires ${spec}`)
      }
    }
    expect(esmOnly).toEqual([])
  })

  it('delivers simulator trades and heals a gap for a plain Node require()', async () => {
    // Run from the package folder, so '@k2/feeds' resolves to this package through its own exports map.
    const r = await run(['--input-type=commonjs', '-e', cjsProbe], pkgDir)
    expect(r.entry).toBe(join(dist, 'index.cjs'))
    expect(r.ids).toEqual(r.tape)
    expect(r.restRequests).toBeGreaterThanOrEqual(1)
  }, 60_000)

  describe('under tsx, in a CommonJS project', () => {
    let project = ''
    beforeAll(() => {
      project = mkdtempSync(join(tmpdir(), 'k2-feeds-cjs-'))
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'k2-feeds-cjs-probe', private: true }))
      mkdirSync(join(project, 'node_modules', '@k2'), { recursive: true })
      symlinkSync(pkgDir, join(project, 'node_modules', '@k2', 'feeds'), 'dir')
      writeFileSync(join(project, 'probe.ts'), tsProbe)
    })
    afterAll(() => {
      if (project) rmSync(project, { recursive: true, force: true })
    })

    it('delivers simulator trades and heals a gap for a TypeScript import compiled to require()', async () => {
      const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href
      const r = await run(['--import', tsx, 'probe.ts'], project)
      expect(r.entry).toBe(join(dist, 'index.cjs'))
      expect(r.ids).toEqual(r.tape)
      expect(r.restRequests).toBeGreaterThanOrEqual(1)
    }, 60_000)
  })
})
