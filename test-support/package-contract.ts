import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
// pnpm's exports map only exposes its manifest (as "."); its bin sits beside it.
const pnpmBin = join(dirname(createRequire(join(root, 'package.json')).resolve('pnpm')), 'bin', 'pnpm.cjs')

interface Manifest {
  name: string
  type?: string
  sideEffects?: boolean
  main?: string
  types?: string
  bin?: Record<string, string>
  exports: Record<string, string | Record<string, Record<string, string> | string>>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** Every file path an exports map (and main/types/bin) names. */
function namedFiles(m: Manifest): string[] {
  const files = new Set<string>()
  const walk = (v: unknown) => {
    if (typeof v === 'string') files.add(v.replace(/^\.\//, ''))
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x)
  }
  walk(m.exports)
  walk(m.main)
  walk(m.types)
  walk(m.bin)
  return [...files]
}

/**
 * The contract every published K2 package keeps (after `pnpm build`): its tarball from `pnpm pack`
 * holds every file its exports map names, and each entry loads from plain Node as ESM and as CJS,
 * outside the workspace, with only its declared dependencies beside it.
 *
 * `probes` maps an export path ('.', './testing') to a JS expression over the loaded module `m` and the
 * text it must print, so the test checks behaviour, not only that something loaded.
 */
export interface Probe {
  expr: string
  prints: string
}

export function packageContract(pkgDir: string, probes: Record<string, Probe>): void {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest
  let work = ''
  let installed = ''

  beforeAll(() => {
    if (!existsSync(join(pkgDir, 'dist'))) throw new Error(`${manifest.name} is not built: run "pnpm build" first (pnpm test does)`)
    work = mkdtempSync(join(tmpdir(), 'k2-pack-'))
    execFileSync(process.execPath, [pnpmBin, 'pack', '--pack-destination', work], { cwd: pkgDir, stdio: 'pipe' })
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
    if (!tarball) throw new Error('pnpm pack wrote no tarball')
    // Install by hand: unpack into node_modules and link the declared dependencies from the workspace.
    installed = join(work, 'node_modules', ...manifest.name.split('/'))
    mkdirSync(installed, { recursive: true })
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', installed, '--strip-components=1'])
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      const target = join(work, 'node_modules', ...dep.split('/'))
      mkdirSync(dirname(target), { recursive: true })
      symlinkSync(realpathSync(join(pkgDir, 'node_modules', ...dep.split('/'))), target, 'dir')
    }
  })

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  describe(`${manifest.name} package`, () => {
    it('declares ESM, no side effects, and types first in each condition', () => {
      expect(manifest.type).toBe('module')
      expect(manifest.sideEffects).toBe(false)
      for (const [key, entry] of Object.entries(manifest.exports)) {
        if (typeof entry === 'string') continue
        for (const condition of Object.values(entry)) {
          if (typeof condition === 'string') continue
          expect(Object.keys(condition)[0], `${key}: "types" must come first`).toBe('types')
        }
      }
    })

    it('packs every file its exports map names, and no sources or tests', () => {
      const packed = execFileSync('find', ['.', '-type', 'f'], { cwd: installed, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^\.\//, ''))
      for (const file of namedFiles(manifest)) expect(packed, `tarball lacks ${file}`).toContain(file)
      expect(packed.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([])
      // workspace:* must have been rewritten to a real version range by pnpm pack.
      const packedManifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest
      expect(JSON.stringify(packedManifest.dependencies ?? {})).not.toContain('workspace:')
    })

    const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json')
    it('has a probe for every entry point', () => {
      expect(Object.keys(probes).sort()).toEqual(entries.sort())
    })
    for (const entry of entries) {
      const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`
      const probe = probes[entry] ?? { expr: 'Object.keys(m).length > 0', prints: 'true' }
      const load = {
        module: `const m = await import(${JSON.stringify(specifier)}); console.log(String(${probe.expr}))`,
        commonjs: `const m = require(${JSON.stringify(specifier)}); console.log(String(${probe.expr}))`,
      }
      for (const kind of ['module', 'commonjs'] as const) {
        it(`"${specifier}" works from a plain Node ${kind === 'module' ? 'ESM import' : 'CJS require'}`, () => {
          const out = execFileSync(process.execPath, [`--input-type=${kind}`, '-e', load[kind]], { cwd: work, encoding: 'utf8' })
          expect(out.trim()).toBe(probe.prints)
        })
      }
    }
  })
}
