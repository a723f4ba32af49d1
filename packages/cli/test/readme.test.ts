import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
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
})
