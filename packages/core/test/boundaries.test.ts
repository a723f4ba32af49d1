import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The import rules of DESIGN.md, checked over every package's sources.
const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

/** Which @k2 packages each package may import. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  feeds: ['core'],
  query: ['core'],
  store: ['core', 'query'],
  analytics: ['core', 'query', 'store'],
  cli: ['core', 'feeds', 'query', 'store', 'analytics'],
}
/** Packages whose main entry must load in Deno and browsers: no node:* imports, except in the files matched. */
const PORTABLE: Record<string, RegExp | null> = {
  core: null,
  analytics: null,
  feeds: /\/src\/testing(\/|\.ts$)/, // the simulator is a Node server; adapters and the feed are not
  query: /\/src\/(duckdb|duckdb-engine)\.ts$/, // the native engine's subpath (test/browser-bundle.test.ts bundles the rest)
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|mts|cts)$/.test(name) ? [path] : []
  })
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  )
}

describe('package boundaries', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    const src = join(packagesDir, pkg, 'src')
    it(`@k2/${pkg} imports only ${allowed.length ? allowed.map((p) => `@k2/${p}`).join(', ') : 'no other K2 package'}, by name`, () => {
      const bad: string[] = []
      for (const file of sources(src)) {
        for (const spec of imports(file)) {
          const where = `${relative(packagesDir, file)}: ${spec}`
          const k2 = /^@k2\/([a-z]+)/.exec(spec)
          if (k2 && !allowed.includes(k2[1] as string)) bad.push(where)
          // A relative import must stay inside its own package's src.
          if (spec.startsWith('.') && !join(file, '..', spec).startsWith(src)) bad.push(where)
          if (spec.includes('/src/') || /^@k2\/[a-z]+\/(dist|src)\b/.test(spec)) bad.push(where)
        }
      }
      expect(bad).toEqual([])
    })
  }

  for (const [pkg, exempt] of Object.entries(PORTABLE)) {
    it(`@k2/${pkg} has no node:* imports, so Deno and browsers can load it`, () => {
      const bad = sources(join(packagesDir, pkg, 'src'))
        .filter((f) => !exempt?.test(f))
        .flatMap((f) => imports(f).filter((s) => s.startsWith('node:') || /^(fs|path|os|child_process|net|http)$/.test(s)))
      expect(bad).toEqual([])
    })
  }

  it('finds imports at all (the scanner works)', () => {
    expect(imports(join(packagesDir, 'core', 'src', 'index.ts'))).toContain('./errors.js')
  })
})
