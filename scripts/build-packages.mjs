#!/usr/bin/env node
// Builds the workspace packages whose build is out of date, silently: it prints nothing unless a
// build fails (then everything that build printed), and does nothing when every build is current.
// `pnpm demo` runs it, so the demo's first lines are the demo's own.
//
// A package is current when it has a dist/ and the hash of its build inputs — its package.json,
// tsup.config.ts, tsconfig.json and every file under src/, with the root tsconfig.base.json and
// pnpm-lock.yaml — is the one recorded after its last build (in node_modules/.cache/k2-build/, so it
// never ships in a tarball). The hash is recorded only after the package built, so a failed or
// interrupted build leaves it stale. A dependency's change does not make its dependents stale: tsup leaves workspace
// packages external, so their dist files do not embed each other's code.
//
//   node scripts/build-packages.mjs                 build what is stale
//   node scripts/build-packages.mjs --check         list what is stale (exit 1 when something is), build nothing
//   node scripts/build-packages.mjs --all --verbose `pnpm build`: every package, its output shown as it runs,
//                                                and recorded, so a `pnpm demo` after it builds nothing
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'

const STAMPS = join('node_modules', '.cache', 'k2-build')
const SHARED_INPUTS = ['tsconfig.base.json', 'pnpm-lock.yaml']
const PACKAGE_INPUTS = ['package.json', 'tsup.config.ts', 'tsconfig.json']

/** Files under `dir`, recursively, sorted (so the hash does not depend on the directory order). */
function filesUnder(dir) {
  if (!existsSync(dir)) return []
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out.sort()
}

/** The hash of everything a package's build reads. */
function inputHash(root, pkgDir) {
  const hash = createHash('sha256')
  const files = [
    ...SHARED_INPUTS.map((f) => join(root, f)),
    ...PACKAGE_INPUTS.map((f) => join(pkgDir, f)),
    ...filesUnder(join(pkgDir, 'src')),
  ].filter((f) => existsSync(f))
  for (const f of files) {
    hash.update(`${relative(root, f)}\0${statSync(f).size}\0`)
    hash.update(readFileSync(f))
  }
  return hash.digest('hex')
}

/** The packages under packages/ that have a build script, with their current input hash. */
function buildablePackages(root) {
  const dir = join(root, 'packages')
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'package.json')))
    .map((e) => join(dir, e.name))
    .filter((p) => JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).scripts?.build !== undefined)
    .sort()
    .map((p) => ({ dir: p, hash: inputHash(root, p) }))
}

const stampOf = (root, pkg) => join(root, STAMPS, `${basename(pkg.dir)}.sha256`)

function isCurrent(root, pkg) {
  const dist = join(pkg.dir, 'dist')
  const stamp = stampOf(root, pkg)
  return existsSync(dist) && readdirSync(dist).length > 0 && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pkg.hash
}

/** How to run pnpm: the one running this script, else the workspace's own, else the one on PATH. */
function pnpmCommand(root) {
  const running = process.env.npm_execpath
  if (running && /^pnpm(\.c?js)?$/.test(basename(running))) return [process.execPath, running]
  const own = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs')
  if (existsSync(own)) return [process.execPath, own]
  return ['pnpm']
}

function main() {
  const root = process.cwd()
  const all = process.argv.includes('--all')
  const verbose = process.argv.includes('--verbose')
  const stale = buildablePackages(root).filter((p) => all || !isCurrent(root, p))
  if (process.argv.includes('--check')) {
    for (const p of stale) console.log(relative(root, p.dir))
    process.exit(stale.length > 0 ? 1 : 0)
  }
  if (stale.length === 0) return
  const [cmd, ...pre] = pnpmCommand(root)
  const filters = stale.flatMap((p) => ['--filter', `./${relative(root, p.dir)}`])
  const run = spawnSync(cmd, [...pre, ...filters, 'run', 'build'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: verbose ? 'inherit' : 'pipe',
  })
  if (run.status !== 0) {
    process.stderr.write(run.stdout ?? '')
    process.stderr.write(run.stderr ?? '')
    if (run.error) process.stderr.write(`build-packages: could not run pnpm: ${run.error.message}\n`)
    process.stderr.write(`build-packages: the build of ${stale.map((p) => relative(root, p.dir)).join(', ')} failed\n`)
    process.exit(run.status ?? 1)
  }
  mkdirSync(join(root, STAMPS), { recursive: true })
  for (const p of stale) writeFileSync(stampOf(root, p), `${p.hash}\n`)
}

main()
