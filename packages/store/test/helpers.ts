import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Trade } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach } from 'vitest'

/**
 * The project's shared data folder, which is never copied into the repo: `$K2_SHARED_DIR` when set
 * (e.g. a checkout whose shared folder sits elsewhere), else `../shared` beside the repo root.
 * Tests that need a file from it check it exists and say in their name when it does not.
 */
export const SHARED_DIR = process.env.K2_SHARED_DIR
  ? resolve(process.env.K2_SHARED_DIR)
  : join(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared')

/**
 * For each test of the calling describe block: a new temporary directory (`dir`) with a lake opened
 * at `dir/lake`, closed and removed after the test. A test may reopen it: `fx.lake = await openLake(…)`.
 */
export function useTempLake(): { dir: string; lake: Lake } {
  const fx = {} as { dir: string; lake: Lake }
  let cleanup = () => {}
  beforeEach(async () => {
    ;({ dir: fx.dir, cleanup } = tempDir())
    fx.lake = await openLake(join(fx.dir, 'lake'))
  })
  afterEach(async () => {
    await fx.lake?.close()
    cleanup()
  })
  return fx
}

/** A fresh temporary directory; removed by the returned cleanup. */
export function tempDir(prefix = 'k2-lake-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const T0 = Date.UTC(2024, 0, 31) * 1000 // 2024-01-31T00:00:00Z in µs

/** Deterministic trades: `n` trades from `startId`, spread over `symbols`, one every `stepUs`. */
export function makeTrades(
  n: number,
  opts: { startId?: number; symbols?: string[]; exchange?: Trade['exchange']; start?: number; stepUs?: number } = {},
): Trade[] {
  const { startId = 1, symbols = ['BTC-USDT', 'ETH-USDT'], exchange = 'binance', start = T0, stepUs = 1_000_000 } = opts
  return Array.from({ length: n }, (_, i) => {
    const ts = start + i * stepUs
    return {
      type: 'trade' as const,
      exchange,
      symbol: symbols[i % symbols.length] as Trade['symbol'],
      id: String(startId + i),
      price: 40_000 + ((i * 7) % 1000) / 4,
      qty: 0.001 * (1 + (i % 17)),
      side: i % 3 === 0 ? ('sell' as const) : ('buy' as const),
      ts,
      recvTs: ts + 1234,
    }
  })
}

/** Sorted, comparable string keys of rows (so order does not matter). */
export function sortedKeys(rows: readonly Record<string, unknown>[], cols: string[]): string[] {
  return rows.map((r) => cols.map((c) => String(r[c])).join('|')).sort()
}

/** A digest of every file under `dir` (paths, sizes and contents): "unchanged on disk" checks. */
export function treeDigest(dir: string): string {
  const h = createHash('sha256')
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else h.update(`${relative(dir, p)}\0${st.size}\0`).update(readFileSync(p))
    }
  }
  walk(dir)
  return h.digest('hex')
}

/**
 * Serves `root` over loopback HTTP (with Range support) and rewrites `file://<root>/…` URLs to it in
 * `globalThis.fetch`, so a reader that only speaks HTTP (icebird) can open a local lake whose
 * metadata holds absolute file:// paths.
 */
export async function serveLake(root: string): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    if (!path.startsWith(root)) {
      res.writeHead(403).end()
      return
    }
    let body: Buffer
    try {
      body = readFileSync(path)
    } catch {
      res.writeHead(404).end()
      return
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = range[2] ? Number(range[2]) : body.length - 1
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 })
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1))
      return
    }
    res.writeHead(200, { 'content-length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const original = globalThis.fetch
  const prefix = `file://${root}`
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    return original(url.startsWith(prefix) ? baseUrl + url.slice(prefix.length) : input, init)
  }) as typeof fetch
  return {
    baseUrl,
    close: async () => {
      globalThis.fetch = original
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
