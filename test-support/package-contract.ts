import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, isAbsolute, join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { projectEnv, runChild, tail } from './child-process.js'
import { type Installation, packedInstall, root } from './packed-install.js'
import { DEFAULT_TIMEOUT_MS, LOADERS, type Probe, runProbe } from './probe-runner.js'
import { readTarball } from './tarball.js'

export type { Probe } from './probe-runner.js'

interface Manifest {
  name: string
  version: string
  type?: string
  sideEffects?: boolean
  main?: string
  types?: string
  bin?: Record<string, string>
  exports: Record<string, string | Record<string, Record<string, string> | string>>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  engines?: Record<string, string>
}

/** A probe of an executable the package installs: run from the project's node_modules/.bin. */
export interface BinProbe {
  does: string
  /** Its arguments, given a fresh temporary directory (removed afterwards). */
  args(tmp: string): string[]
  /** What its standard output must match; it must also exit 0. */
  prints: RegExp
  timeoutMs?: number
}

export interface PackageProbes {
  /** One probe per export path ('.', './testing'), run under every loader. */
  entries: Readonly<Record<string, Probe>>
  /** One per executable in "bin". */
  bins?: Readonly<Record<string, BinProbe>>
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

/** The file an export path resolves to under a condition ('import' or 'require'). */
function target(m: Manifest, entry: string, condition: 'import' | 'require'): string | undefined {
  const e = m.exports[entry]
  const c = typeof e === 'object' ? e[condition] : e
  return typeof c === 'string' ? c : c?.default
}

const sha512 = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`

/**
 * The contract every published K2 package keeps (after `pnpm build`). All packages are packed with
 * `pnpm pack:all` and installed together by plain `npm install ./k2-*.tgz` into one fresh project
 * outside the workspace (see `packed-install.ts`). Then: the manifest and the tarball are checked,
 * and each entry's probe runs from that project under Node ESM, Node CJS and tsx in a CommonJS
 * project, so the test sees what a user sees, hangs included (each probe has a timeout).
 */
export function packageContract(pkgDir: string, probes: PackageProbes): void {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest
  const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json')
  let install: Installation
  let packed: Map<string, Buffer>
  let packedManifest: Manifest

  beforeAll(async () => {
    if (!existsSync(join(pkgDir, 'dist'))) throw new Error(`${manifest.name} is not built: run "pnpm build" first (pnpm test does)`)
    install = await packedInstall()
    const tarball = install.tarballs.get(manifest.name)
    if (!tarball) throw new Error(`"pnpm pack:all" packed no ${manifest.name} (it packed ${[...install.tarballs.keys()].join(', ')})`)
    packed = readTarball(tarball)
    packedManifest = JSON.parse(packed.get('package.json')?.toString('utf8') ?? '{}') as Manifest
  }, 15 * 60_000) // npm downloads the native DuckDB binaries on a cold cache

  describe(`${manifest.name} package`, () => {
    it('declares ESM, no side effects, the Node versions it runs on, and types first in each condition', () => {
      expect(manifest.type).toBe('module')
      expect(manifest.sideEffects).toBe(false)
      // The same floor as the workspace's: CJS needs no require(esm), but 20.19 is what the tests run.
      const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest
      expect(manifest.engines?.node).toBe(workspace.engines?.node)
      for (const [key, entry] of Object.entries(manifest.exports)) {
        if (typeof entry === 'string') continue
        for (const condition of Object.values(entry)) {
          if (typeof condition === 'string') continue
          expect(Object.keys(condition)[0], `${key}: "types" must come first`).toBe('types')
        }
      }
    })

    it('packs every file its exports map names, and no sources or tests', () => {
      const files = [...packed.keys()]
      for (const file of namedFiles(manifest)) expect(files, `tarball lacks ${file}`).toContain(file)
      expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([])
    })

    it('packs a manifest with real versions: no "workspace:" left, K2 dependencies pinned to the packed siblings', () => {
      const deps = { ...packedManifest.dependencies, ...packedManifest.peerDependencies, ...packedManifest.optionalDependencies }
      expect(JSON.stringify(deps)).not.toContain('workspace:')
      for (const [dep, range] of Object.entries(deps).filter(([d]) => d.startsWith('@k2/'))) {
        const sibling = install.tarballs.get(dep)
        expect(sibling, `${dep} was not packed`).toBeDefined()
        const version = (
          JSON.parse(
            readTarball(sibling ?? '')
              .get('package.json')
              ?.toString('utf8') ?? '{}',
          ) as Manifest
        ).version
        expect(range, `${dep}: the packed range must name the packed version`).toBe(version)
      }
    })

    it("packs a README.md and the root's MIT LICENSE, byte for byte (in the package folder and in the tarball)", () => {
      const license = readFileSync(join(root, 'LICENSE'))
      expect(license.toString('utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the K2 authors\n/)
      // pnpm pack copies the root LICENSE into a package that has none; npm pack does not: keep a copy.
      expect(existsSync(join(pkgDir, 'LICENSE')), `${basename(pkgDir)}/LICENSE is missing: copy the root LICENSE`).toBe(true)
      expect(readFileSync(join(pkgDir, 'LICENSE')).equals(license), `${basename(pkgDir)}/LICENSE differs from the root LICENSE`).toBe(true)
      expect(packed.get('LICENSE')?.equals(license), 'the tarball has no LICENSE identical to the root one').toBe(true)
      expect(packed.get('README.md')?.toString('utf8') ?? '', 'the tarball has no README.md').toMatch(new RegExp(`^# ${manifest.name}\\n`))
    })

    it('installs from its own tarball with plain npm, with no copy from the registry', () => {
      const fromRoot = relative(root, install.dir)
      expect(fromRoot.startsWith('..') || isAbsolute(fromRoot), 'the installation must be outside the workspace').toBe(true)
      const lock = JSON.parse(readFileSync(join(install.dir, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { resolved?: string; integrity?: string }>
      }
      const at = `node_modules/${manifest.name}`
      const tarball = install.tarballs.get(manifest.name) ?? ''
      expect(lock.packages[at]?.resolved).toBe(`file:tarballs/${basename(tarball)}`)
      expect(lock.packages[at]?.integrity).toBe(sha512(readFileSync(tarball)))
      // One copy only: no nested node_modules/@k2/x from anywhere else.
      expect(Object.keys(lock.packages).filter((p) => p.endsWith(at))).toEqual([at])
      // npm may ask the registry about the name (it answers 404 today) but must never download it.
      expect(install.npmLog.split('\n').filter((l) => l.includes(`/${manifest.name}/-/`))).toEqual([])
    })

    it('has a probe for every entry point and every executable', () => {
      expect(Object.keys(probes.entries).sort()).toEqual([...entries].sort())
      expect(Object.keys(probes.bins ?? {}).sort()).toEqual(Object.keys(manifest.bin ?? {}).sort())
    })

    for (const entry of entries) {
      const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`
      const probe = probes.entries[entry]
      if (!probe) continue // the test above fails
      const load = probe.load ?? { m: specifier }
      for (const loader of LOADERS) {
        const timeout = (probe.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 15_000
        const cannot = probe.cannot?.[loader.name]
        if (cannot !== undefined) {
          it(
            `"${specifier}" cannot work under ${loader.title}: ${cannot}`,
            async () => {
              const run = await runProbe(probe, load, loader, install.dir)
              expect(run.problem, `it works now under ${loader.title}: remove "${loader.name}" from the probe's "cannot"`).toBeDefined()
            },
            timeout,
          )
          continue
        }
        it(
          `"${specifier}" under ${loader.title}: ${probe.does}`,
          async () => {
            const run = await runProbe(probe, load, loader, install.dir)
            expect(run.problem, run.problem).toBeUndefined()
            // Each module came from the installed project, and this package's through the loader's condition.
            const modules = realpathSync(join(install.dir, 'node_modules'))
            for (const [spec, file] of Object.entries(run.report?.resolved ?? {})) {
              expect(file.startsWith(modules), `${spec} resolved to ${file}, outside the installed project`).toBe(true)
              const own =
                spec === manifest.name ? '.' : spec.startsWith(`${manifest.name}/`) ? `.${spec.slice(manifest.name.length)}` : undefined
              const condition = loader.mode === 'esm' ? 'import' : 'require'
              const expected = own === undefined ? undefined : target(manifest, own, condition)
              if (expected) expect(file).toBe(realpathSync(join(modules, manifest.name, expected)))
            }
          },
          timeout,
        )
      }
    }

    for (const [bin, probe] of Object.entries(probes.bins ?? {})) {
      it(
        `the "${bin}" executable, installed in node_modules/.bin: ${probe.does}`,
        async () => {
          const tmp = mkdtempSync(join(tmpdir(), 'k2-bin-'))
          try {
            const timeoutMs = probe.timeoutMs ?? DEFAULT_TIMEOUT_MS
            const run = await runChild(join(install.dir, 'node_modules', '.bin', bin), probe.args(tmp), {
              cwd: install.dir,
              env: projectEnv(),
              timeoutMs,
            })
            const output = `\n--- stderr:\n${tail(run.stderr) || '(empty)'}\n--- stdout:\n${tail(run.stdout) || '(empty)'}`
            expect(run.timedOut, `${bin} did not finish within ${timeoutMs} ms${output}`).toBe(false)
            expect(run.code, `${bin} exited ${run.code}${output}`).toBe(0)
            expect(run.stdout).toMatch(probe.prints)
          } finally {
            rmSync(tmp, { recursive: true, force: true })
          }
        },
        (probe.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 15_000,
      )
    }
  })
}
