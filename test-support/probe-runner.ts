import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildResult, projectEnv, runChild, tail } from './child-process.js'
import { root } from './packed-install.js'

/**
 * A probe: a few lines of plain JavaScript that use a package the way a user's script would, run in
 * a child process from a file inside the installed project, under each loader.
 */
export interface Probe {
  /** What the probe does, for the test's name ("opens a simulator feed and receives its first trade"). */
  does: string
  /** The modules it loads, by the name its code uses them under. Default: `{ m: <the entry> }`. */
  load?: Readonly<Record<string, string>>
  /**
   * The body of an async function (plain JS: it runs as .mjs, .cjs and .ts) over the loaded modules,
   * `tmp` (an empty directory, removed afterwards) and `other(specifier)`, which loads a module the
   * other way: `require` under ESM, `import()` under CJS (a second copy of a package). What it returns
   * is printed with `String()` and compared with `returns`.
   */
  run: string
  returns: string | RegExp
  /**
   * Loaders this probe cannot work under, each with why (say what would have to change). The test
   * for such a loader checks that the probe does fail there, so it notices when it starts working.
   */
  cannot?: Partial<Record<LoaderName, string>>
  /** Default 15 s; the probe is killed after it, so a hang fails its test and nothing else. */
  timeoutMs?: number
}

export type LoaderName = 'esm' | 'cjs' | 'tsx-cjs'

export interface Loader {
  name: LoaderName
  title: string
  /** The module system the probe's code runs as, and so the exports condition it resolves through. */
  mode: 'esm' | 'cjs'
  extension: string
  command(file: string): string[]
}

// tsx is a devDependency of the workspace; a .ts file in a project without "type": "module" is CommonJS to it.
const tsxCli = createRequire(join(root, 'package.json')).resolve('tsx/cli')

export const LOADERS: readonly Loader[] = [
  { name: 'esm', title: 'Node ESM (import)', mode: 'esm', extension: '.mjs', command: (f) => [process.execPath, f] },
  { name: 'cjs', title: 'Node CJS (require)', mode: 'cjs', extension: '.cjs', command: (f) => [process.execPath, f] },
  { name: 'tsx-cjs', title: 'tsx in a CommonJS project', mode: 'cjs', extension: '.ts', command: (f) => [process.execPath, tsxCli, f] },
]

export const DEFAULT_TIMEOUT_MS = 15_000
const MARK = 'K2PROBE '

/** What a probe printed on its last line: how it ran, where each module came from, what it returned. */
export interface ProbeReport {
  mode: 'esm' | 'cjs'
  /** Each loaded specifier → the real path of the file it resolved to. */
  resolved: Record<string, string>
  result: string
}

export interface ProbeRun {
  child: ChildResult
  report: ProbeReport | undefined
  /** Why the run is not a success, in words for a failure message; undefined when it is one. */
  problem: string | undefined
}

/** The program a loader runs: the probe wrapped in loading, resolving and reporting. */
export function probeProgram(probe: Probe, load: Readonly<Record<string, string>>, loader: Loader, tmp: string): string {
  const names = Object.keys(load)
  const specs = Object.values(load)
  const imports = specs.map((s, i) =>
    loader.extension === '.cjs' ? `const $m${i} = require(${JSON.stringify(s)})` : `import * as $m${i} from ${JSON.stringify(s)}`,
  )
  const prelude =
    loader.mode === 'esm'
      ? [
          `import { createRequire } from 'node:module'`,
          `import { realpathSync } from 'node:fs'`,
          `import { fileURLToPath } from 'node:url'`,
          'const $require = createRequire(import.meta.url)',
          'const other = async (s) => $require(s)',
          'const $resolve = (s) => realpathSync(fileURLToPath(import.meta.resolve(s)))',
        ]
      : ['const other = (s) => import(s)', `const $resolve = (s) => require('node:fs').realpathSync(require.resolve(s))`]
  return [
    ...imports,
    ...prelude,
    `const $probe = async (${[...names, 'tmp', 'other'].join(', ')}) => {`,
    probe.run,
    '}',
    `$probe(${[...names.map((_, i) => `$m${i}`), JSON.stringify(tmp), 'other'].join(', ')}).then(`,
    '  (result) => {',
    `    const resolved = Object.fromEntries(${JSON.stringify(specs)}.map((s) => [s, $resolve(s)]))`,
    `    const mode = typeof module === 'undefined' ? 'esm' : 'cjs'`,
    `    process.stdout.write('\\n${MARK}' + JSON.stringify({ mode, resolved, result: String(result) }) + '\\n')`,
    '  },',
    '  (err) => {',
    `    process.stderr.write('probe failed: ' + ((err && err.stack) || String(err)) + '\\n')`,
    '    process.exitCode = 1',
    '  },',
    ')',
    '',
  ].join('\n')
}

/** Runs a probe under a loader from a file inside the installed project `project`. */
export async function runProbe(probe: Probe, load: Readonly<Record<string, string>>, loader: Loader, project: string): Promise<ProbeRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'k2-probe-'))
  // Inside the project, so its node_modules resolve; in a folder without a package.json, so the
  // project's (no "type") decides what a .ts file is.
  mkdirSync(join(project, 'probes'), { recursive: true })
  const dir = mkdtempSync(join(project, 'probes', `${loader.name}-`))
  const file = join(dir, `probe${loader.extension}`)
  writeFileSync(file, probeProgram(probe, load, loader, tmp))
  const timeoutMs = probe.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const [command = process.execPath, ...args] = loader.command(file)
  try {
    const child = await runChild(command, args, { cwd: project, env: projectEnv(), timeoutMs })
    const report = parseReport(child.stdout)
    return { child, report, problem: problemOf(child, report, loader, timeoutMs, probe.returns) }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
    rmSync(dir, { recursive: true, force: true })
  }
}

function parseReport(stdout: string): ProbeReport | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARK))
  return line === undefined ? undefined : (JSON.parse(line.slice(MARK.length)) as ProbeReport)
}

function problemOf(
  child: ChildResult,
  report: ProbeReport | undefined,
  loader: Loader,
  timeoutMs: number,
  returns: string | RegExp,
): string | undefined {
  const output = `\n--- stderr:\n${tail(child.stderr) || '(empty)'}\n--- stdout:\n${tail(child.stdout) || '(empty)'}`
  if (child.timedOut && report === undefined)
    return `under ${loader.title} the probe gave no result within ${timeoutMs} ms: it hung, and was killed${output}`
  if (child.timedOut)
    return `under ${loader.title} the probe returned, but its process did not exit within ${timeoutMs} ms: something is still open after close()${output}`
  if (child.code !== 0 || report === undefined) return `under ${loader.title} the probe failed (exit ${child.code})${output}`
  if (report.mode !== loader.mode) return `under ${loader.title} the probe ran as ${report.mode}, not ${loader.mode}`
  const ok = typeof returns === 'string' ? report.result === returns : returns.test(report.result)
  if (!ok) return `under ${loader.title} the probe returned ${JSON.stringify(report.result)}, expected ${String(returns)}`
  return undefined
}
