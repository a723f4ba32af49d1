import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Lines of a fixture beside the tests. */
export function fixture(name: string): string[] {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')
    .split('\n')
    .filter(Boolean)
}

/**
 * The shared real-data folder: `$K2_SHARED_DIR/data/real` when that variable is set (a checkout whose
 * `shared` folder is not beside the repository, such as a git worktree), else `../shared/data/real`
 * from the repository root.
 */
export const SHARED_REAL = process.env.K2_SHARED_DIR
  ? join(process.env.K2_SHARED_DIR, 'data', 'real', '/')
  : fileURLToPath(new URL('../../../../shared/data/real/', import.meta.url))

/** Lines of a file in the shared real-data folder, or undefined when it is not there. */
export function sharedReal(name: string): string[] | undefined {
  const path = `${SHARED_REAL}${name}`
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : undefined
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls `cond` until it holds; fails with `what` after `timeoutMs` (generous: machines here are loaded). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

/** A clock tests move by hand (epoch µs). */
export function manualClock(start = 1_767_000_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms * 1000) }
}
