import { spawn, spawnSync } from 'node:child_process'

export interface ChildResult {
  /** Exit code; null when the child was killed. */
  code: number | null
  stdout: string
  stderr: string
  /** True when the child ran past its timeout and was killed, with everything it started. */
  timedOut: boolean
  ms: number
}

export interface ChildOptions {
  cwd: string
  env?: NodeJS.ProcessEnv
  timeoutMs: number
}

const windows = process.platform === 'win32'
const running = new Set<number>()
// A child leads its own process group, so it outlives this process unless killed: never leave one behind.
process.on('exit', () => {
  for (const pid of running) killTree(pid)
})

/**
 * Runs a command to its end or its timeout, whichever comes first, and never throws for a non-zero
 * exit: the caller's assertion says what went wrong. On POSIX the child leads its own process group,
 * so a timeout kills the whole tree (tsx runs the script in a grandchild; a hung grandchild left
 * behind would spin a core for the rest of the run). Windows commands run through the shell, so
 * `npm` finds `npm.cmd`, and `taskkill /t` ends the tree.
 */
export function runChild(command: string, args: readonly string[], opts: ChildOptions): Promise<ChildResult> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: !windows, shell: windows, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    if (child.pid !== undefined) running.add(child.pid)
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    const timer = setTimeout(() => {
      timedOut = true
      killTree(child.pid)
    }, opts.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (child.pid !== undefined) running.delete(child.pid)
      resolve({ code, stdout, stderr, timedOut, ms: Math.round(performance.now() - started) })
    })
  })
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    if (windows) spawnSync('taskkill', ['/pid', String(pid), '/t', '/f'])
    else process.kill(-pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** The last `n` characters of a child's output, for a failure message. */
export function tail(text: string, n = 2000): string {
  const t = text.trim()
  return t.length <= n ? t : `…${t.slice(-n)}`
}

/**
 * The environment for a child that must behave as in a user's own project: without what a package
 * manager's `run` sets for the workspace (`npm_config_local_prefix` alone would make npm install into
 * the workspace) and without test-runner loader flags. The user's npm configuration (registry, cache,
 * certificates) stays.
 */
export function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_local_prefix$|config_user_agent$)|pnpm_|init_cwd$|node_options$|vitest)/i.test(
        k,
      )
    )
      continue
    env[k] = v
  }
  return env
}
