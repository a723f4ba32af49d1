import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { WasmDatabase } from '@k2/query'

/** Opens duckdb-wasm's Node (blocking) bindings from the installed package, entirely offline. */
export async function openWasmDatabase(): Promise<WasmDatabase> {
  const require = createRequire(import.meta.url)
  const entry = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs')
  const duckdb = require(entry) as {
    createDuckDB(
      bundles: unknown,
      logger: unknown,
      runtime: unknown,
    ): Promise<WasmDatabase & { instantiate(): Promise<unknown>; open(c: unknown): void }>
    VoidLogger: new () => unknown
    NODE_RUNTIME: unknown
  }
  const dist = dirname(entry)
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: '' },
  }
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME)
  await db.instantiate()
  db.open({ path: ':memory:' })
  return db
}
