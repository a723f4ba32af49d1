import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { run } from '@k2/cli'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8')

describe('quick start', () => {
  it('CI runs the README test command verbatim', () => {
    const readme = read('README.md')
    const testCommand = readme.split('\n').find((l) => l.includes('pnpm test') && l.startsWith('npx '))
    expect(testCommand).toBeDefined()
    expect(read('.ci/run').split('\n')).toContain(testCommand)
  })

  it('pins the same pnpm in the README, the package manager field and the devDependency', () => {
    const pkg = JSON.parse(read('package.json')) as { packageManager: string; devDependencies: Record<string, string> }
    const version = pkg.devDependencies.pnpm
    expect(pkg.packageManager).toBe(`pnpm@${version}`)
    const pinned = [...read('README.md').matchAll(/pnpm@(\d+\.\d+\.\d+)/g)].map((m) => m[1])
    expect(pinned.length).toBeGreaterThan(0)
    expect(new Set(pinned)).toEqual(new Set([version]))
  })

  it('runs the demo with a quiet build, into ./k2-lake, which git ignores', async () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; devDependencies: Record<string, string> }
    const readme = read('README.md')
    expect(readme.split('\n')).toContain(`npx --yes pnpm@${pkg.devDependencies.pnpm} install && npx pnpm demo`)
    // the build step prints nothing unless it fails (scripts/build-packages.mjs; its own test is demo.build.test.ts)
    expect(pkg.scripts.demo).toBe('node scripts/build-packages.mjs && node packages/cli/dist/bin.js demo')
    expect(readme).toContain('`./k2-lake`')
    const help: string[] = []
    expect(await run(['demo', '--help'], (l) => help.push(l))).toBe(0)
    expect(help.join('\n')).toMatch(/--lake <dir>\s+lake directory \(default: "\.\/k2-lake"\)/)
    expect(read('.gitignore').split('\n')).toContain('k2-lake/')
  })
})
