import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// `pnpm demo` builds through scripts/build-packages.mjs: silent unless a build fails, and a no-op when
// every build is current. Tested on a workspace of its own, with the repo's pnpm, so nothing here
// touches the repo's dist folders.
const repo = fileURLToPath(new URL('../../../', import.meta.url))
const script = join(repo, 'scripts', 'build-packages.mjs')
const pnpm = join(repo, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs')

// A package build that is as noisy as tsup, records that it ran, and fails when its source says FAIL.
const BUILD = `
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
const src = readFileSync('src/index.txt', 'utf8')
appendFileSync('../../builds.log', process.env.npm_package_name + '\\n')
for (let i = 0; i < 50; i++) console.log('CLI building entry', i)
if (src.includes('FAIL')) { console.error('error TS2322: the source says FAIL'); process.exit(2) }
mkdirSync('dist', { recursive: true })
writeFileSync('dist/index.js', src)
`

const ws = mkdtempSync(join(tmpdir(), 'k2-build-packages-'))
afterAll(() => rmSync(ws, { recursive: true, force: true }))

function write(path: string, text: string): void {
  mkdirSync(join(ws, path, '..'), { recursive: true })
  writeFileSync(join(ws, path), text)
}

function buildQuiet(...args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, npm_execpath: pnpm },
    timeout: 60_000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const builds = () => readFileSync(join(ws, 'builds.log'), 'utf8').split('\n').filter(Boolean).sort()

describe('scripts/build-packages.mjs', () => {
  write('package.json', JSON.stringify({ name: 'ws', private: true }))
  write('pnpm-workspace.yaml', 'packages:\n  - packages/*\n')
  write('builds.log', '')
  for (const name of ['a', 'b']) {
    write(`packages/${name}/package.json`, JSON.stringify({ name, version: '1.0.0', scripts: { build: 'node build.mjs' } }))
    write(`packages/${name}/build.mjs`, BUILD)
    write(`packages/${name}/src/index.txt`, `package ${name}`)
  }

  it('builds what is stale silently, and does nothing the second time', () => {
    expect(buildQuiet('--check').code).toBe(1)
    const first = buildQuiet()
    expect(first).toEqual({ code: 0, out: '', err: '' })
    expect(builds()).toEqual(['a', 'b'])
    expect(readFileSync(join(ws, 'packages/a/dist/index.js'), 'utf8')).toBe('package a')

    const again = buildQuiet()
    expect(again).toEqual({ code: 0, out: '', err: '' })
    expect(builds()).toEqual(['a', 'b'])
    expect(buildQuiet('--check')).toEqual({ code: 0, out: '', err: '' })
  }, 120_000)

  it('rebuilds only the package whose source changed, and a package whose dist is gone', () => {
    write('packages/b/src/index.txt', 'package b, edited')
    expect(buildQuiet('--check').out.trim()).toBe(join('packages', 'b'))
    expect(buildQuiet().code).toBe(0)
    expect(builds()).toEqual(['a', 'b', 'b'])
    expect(readFileSync(join(ws, 'packages/b/dist/index.js'), 'utf8')).toBe('package b, edited')

    rmSync(join(ws, 'packages/a/dist'), { recursive: true })
    expect(buildQuiet().code).toBe(0)
    expect(builds()).toEqual(['a', 'a', 'b', 'b'])
  }, 120_000)

  it('prints everything a failing build printed, exits non-zero, and tries again next time', () => {
    write('packages/a/src/index.txt', 'FAIL')
    const failed = buildQuiet()
    expect(failed.code).not.toBe(0)
    expect(failed.out).toBe('')
    expect(failed.err).toContain('error TS2322: the source says FAIL')
    expect(failed.err).toContain('CLI building entry 49')
    expect(failed.err).toContain('the build of packages/a failed')
    expect(buildQuiet('--check').out.trim()).toBe(join('packages', 'a'))

    write('packages/a/src/index.txt', 'package a, fixed')
    expect(buildQuiet()).toEqual({ code: 0, out: '', err: '' })
    expect(buildQuiet('--check').code).toBe(0)
  }, 120_000)

  it('as `pnpm build` (--all --verbose) builds every package, shows its output, and leaves nothing for the quiet build', () => {
    const before = builds().length
    const loud = buildQuiet('--all', '--verbose')
    expect(loud.code).toBe(0)
    expect(builds().length).toBe(before + 2) // current or not, both packages built
    expect(loud.out).toContain('CLI building entry 49')
    expect(buildQuiet()).toEqual({ code: 0, out: '', err: '' })
    expect(builds().length).toBe(before + 2)
  }, 120_000)
})
