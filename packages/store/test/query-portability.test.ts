import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The builder and the compiler must load in Deno and browsers: nothing they import, directly or
// through other query files, may be a `node:*` module or the native DuckDB binding.
const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src/query')

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  return [...text.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string)
}

function closure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    const deps = importsOf(file)
    seen.set(file, deps)
    for (const d of deps) if (d.startsWith('./')) visit(d.slice(2).replace(/\.js$/, '.ts'))
  }
  visit(entry)
  return seen
}

describe('portable layers', () => {
  it.each(['select-query-builder.ts', 'query-compiler.ts', 'sql-template.ts', 'prune.ts', 'duckdb-wasm-engine.ts', 'pool.ts'])(
    '%s and everything it imports avoid node:* and @duckdb/node-api',
    (entry) => {
      const graph = closure(entry)
      expect(graph.size).toBeGreaterThan(0)
      for (const [file, deps] of graph) {
        for (const d of deps) {
          expect(d.startsWith('node:'), `${file} imports ${d}`).toBe(false)
          expect(d, `${file} imports ${d}`).not.toBe('@duckdb/node-api')
        }
      }
    },
  )

  it('finds imports (the check is not vacuous)', () => {
    expect(importsOf('duckdb-engine.ts')).toContain('@duckdb/node-api')
    expect(closure('select-query-builder.ts').has('query-compiler.ts') || closure('select-query-builder.ts').has('schema.ts')).toBe(true)
  })
})
