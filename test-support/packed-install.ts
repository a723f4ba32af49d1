import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { projectEnv, runChild, tail } from './child-process.js'
import { readTarball } from './tarball.js'

export const root = fileURLToPath(new URL('..', import.meta.url))
// pnpm's exports map only exposes its manifest (as "."); its bin sits beside it.
const pnpmBin = join(dirname(createRequire(join(root, 'package.json')).resolve('pnpm')), 'bin', 'pnpm.cjs')

/** A fresh project outside the workspace with every K2 tarball installed into it by plain npm. */
export interface Installation {
  /** The project: a package.json without "type" (so a CommonJS project), `tarballs/`, `node_modules/`. */
  dir: string
  /** Each package's tarball (inside `dir/tarballs`), by package name. */
  tarballs: ReadonlyMap<string, string>
  /** What npm printed, with `--loglevel http`: every registry request it made. */
  npmLog: string
}

const HOUR = 3_600_000
const INSTALL_TIMEOUT_MS = 10 * 60_000 // a cold npm cache downloads @duckdb/node-api's native binaries

let pending: Promise<Installation> | undefined

/**
 * Packs every package under packages/* with `pnpm pack:all` (which rewrites `workspace:*` to
 * versions) and installs all the tarballs at once, with plain `npm install ./tarballs/k2-*.tgz`, into
 * a fresh folder under the system temp directory. The folder is named by a hash of what the tarballs
 * hold, so vitest's parallel test files share one installation, and a later run with the same build
 * reuses it: the first file to get there builds it under an atomic `mkdir` lock while others wait.
 * Packing (about a second) happens in each file; it is what tells whether the build changed.
 */
export function packedInstall(): Promise<Installation> {
  pending ??= packAndInstall()
  return pending
}

async function packAndInstall(): Promise<Installation> {
  const staging = mkdtempSync(join(tmpdir(), 'k2-pack-'))
  try {
    const packed = await runChild(process.execPath, [pnpmBin, 'run', 'pack:all', '--pack-destination', staging], {
      cwd: root,
      timeoutMs: 120_000,
    })
    if (packed.code !== 0) throw new Error(`"pnpm pack:all" failed (exit ${packed.code}):\n${tail(packed.stdout + packed.stderr)}`)
    const files = readdirSync(staging)
      .filter((f) => f.endsWith('.tgz'))
      .sort()
    if (files.length === 0) throw new Error('"pnpm pack:all" wrote no tarball')
    const key = createHash('sha256')
    // The recipe is part of the key: a change to how the folder is built builds a new one.
    for (const recipe of ['./packed-install.ts', './child-process.ts'])
      key.update(readFileSync(fileURLToPath(new URL(recipe, import.meta.url))))
    key.update(`${process.platform}-${process.arch}`)
    for (const f of files) key.update(f).update(contentHash(join(staging, f)))
    const dir = join(tmpdir(), `k2-packages-${key.digest('hex').slice(0, 16)}`)
    if (!existsSync(dir)) await underLock(`${dir}.lock`, () => existsSync(dir) || install(staging, files, dir))
    const now = new Date()
    utimesSync(dir, now, now) // marks it used, so pruning leaves it
    pruneOld(dir)
    return readInstallation(dir)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/**
 * A hash of what a tarball holds, not of its bytes: pnpm writes the dependencies it rewrote from
 * `workspace:*` in the order the rewrites finish, so two packs of one build can differ in that order.
 */
function contentHash(tarball: string): Buffer {
  const hash = createHash('sha256')
  const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : 1)
  for (const [path, bytes] of [...readTarball(tarball)].sort(byName)) {
    hash.update(`${path}\0`)
    if (path === 'package.json') {
      const manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
        const deps = manifest[field]
        if (deps && typeof deps === 'object') manifest[field] = Object.fromEntries(Object.entries(deps).sort(byName))
      }
      hash.update(JSON.stringify(manifest))
    } else hash.update(bytes)
    hash.update('\0')
  }
  return hash.digest()
}

/** Builds the project in a folder of its own, then renames it into place: `dir` exists only complete. */
async function install(staging: string, files: string[], dir: string): Promise<true> {
  const building = `${dir}.building-${process.pid}`
  rmSync(building, { recursive: true, force: true })
  mkdirSync(join(building, 'tarballs'), { recursive: true })
  for (const f of files) copyFileSync(join(staging, f), join(building, 'tarballs', f))
  // No "type": a CommonJS project, as `npm init` makes; ESM probes are .mjs files.
  const manifest = { name: 'k2-package-contract', version: '0.0.0', private: true, description: 'K2 tarballs installed by npm' }
  writeFileSync(join(building, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const npm = await runChild('npm', ['install', ...files.map((f) => `./tarballs/${f}`), '--no-audit', '--no-fund', '--loglevel', 'http'], {
    cwd: building,
    env: projectEnv(),
    timeoutMs: INSTALL_TIMEOUT_MS,
  })
  writeFileSync(join(building, 'npm.log'), npm.stdout + npm.stderr)
  if (npm.code !== 0 || npm.timedOut) {
    const why = npm.timedOut ? `did not finish within ${INSTALL_TIMEOUT_MS / 1000} s` : `failed (exit ${npm.code})`
    throw new Error(`npm install of the K2 tarballs ${why}; its log is in ${building}/npm.log:\n${tail(npm.stdout + npm.stderr)}`)
  }
  // For whoever looks into the folder: how long the install took, with which Node.
  writeFileSync(join(building, 'k2-install.json'), `${JSON.stringify({ installSeconds: npm.ms / 1000, node: process.version }, null, 2)}\n`)
  try {
    renameSync(building, dir)
  } catch (err) {
    // Only possible if a stale lock was broken while its owner still ran: theirs is as good as ours.
    if (!existsSync(dir)) throw err
    rmSync(building, { recursive: true, force: true })
  }
  return true
}

function readInstallation(dir: string): Installation {
  const tarballs = new Map<string, string>()
  for (const f of readdirSync(join(dir, 'tarballs'))) {
    const file = join(dir, 'tarballs', f)
    const manifest = readTarball(file).get('package.json')
    if (!manifest) throw new Error(`${f} has no package.json`)
    tarballs.set((JSON.parse(manifest.toString('utf8')) as { name: string }).name, file)
  }
  return { dir, tarballs, npmLog: readFileSync(join(dir, 'npm.log'), 'utf8') }
}

/**
 * Runs `work` while holding a lock made by an atomic `mkdir`. Whoever finds it taken waits for it to
 * go; a lock whose owner process is gone (or that never got an owner) is broken after a grace period.
 */
async function underLock<T>(lock: string, work: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + INSTALL_TIMEOUT_MS + 60_000
  for (;;) {
    try {
      mkdirSync(lock)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}; if no test run is installing, delete it`)
      if (isStale(lock)) rmSync(lock, { recursive: true, force: true })
      else await new Promise((r) => setTimeout(r, 250))
      continue
    }
    try {
      writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname() }))
      return await work()
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
}

function isStale(lock: string): boolean {
  try {
    const owner = JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8')) as { pid: number; host: string }
    if (owner.host !== hostname()) return false
    process.kill(owner.pid, 0) // throws when no such process
    return false
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return false // alive, someone else's
    // No owner file yet (it is written right after mkdir) or an unreadable one: stale only when old.
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ESRCH') return ageMs(lock) > 60_000
    return true
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs
  } catch {
    return 0
  }
}

/** Each installation holds about 100 MB: remove the ones no run has used for a day, and dead builds. */
function pruneOld(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('k2-packages-')) continue
    const path = join(tmpdir(), name)
    if (path === keep || name.endsWith('.lock') || existsSync(`${path.replace(/\.building-\d+$/, '')}.lock`)) continue
    if (ageMs(path) > 24 * HOUR) rmSync(path, { recursive: true, force: true })
  }
}
