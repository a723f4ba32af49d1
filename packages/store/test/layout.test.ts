import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The lake's write path is two halves named by folder: write/ (rows → Parquet files) may use
// iceberg/ (files → a snapshot), iceberg/ uses nothing outside itself, and no import goes in a circle.
const src = fileURLToPath(new URL('../src/', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Relative imports of a file (type-only ones too: a circle of types is still a circle), as src-relative paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) =>
    relative(src, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))),
  )
}

const graph = new Map(files(src).map((f) => [relative(src, f), imports(f)]))

describe('store layout', () => {
  it('iceberg/ imports only iceberg/; write/ imports only write/ and iceberg/', () => {
    const bad: string[] = []
    for (const [file, deps] of graph) {
      for (const d of deps) {
        if (file.startsWith('iceberg/') && !d.startsWith('iceberg/')) bad.push(`${file} -> ${d}`)
        if (file.startsWith('write/') && !d.startsWith('write/') && !d.startsWith('iceberg/')) bad.push(`${file} -> ${d}`)
      }
    }
    expect(graph.get('write/parquet-files.ts')).toContain('iceberg/single-value.ts') // the scan sees imports
    expect(bad).toEqual([])
  })

  it('has no import circle', () => {
    const circles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '))
        return
      }
      state.set(file, 'open')
      for (const d of graph.get(file) ?? []) visit(d, [...path, file])
      state.set(file, 'done')
    }
    for (const file of graph.keys()) visit(file, [])
    expect(circles).toEqual([])
  })
})
