import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { K2Error } from '@k2/core'
import { registerStageScan } from './write/duckdb-scan.js'

/**
 * The lake's private DuckDB: it writes Parquet (COPY … FORMAT parquet) and reads files back for
 * scans, dedup and compaction. One in-memory instance per lake; one connection per operation, so
 * concurrent writers never share temp tables.
 */
export class LakeDuckDB {
  #instance: Promise<DuckDBInstance> | undefined
  #closed = false

  constructor(private readonly threads: number) {}

  async #get(): Promise<DuckDBInstance> {
    if (this.#closed) throw new K2Error('CLOSED', 'the lake is closed: open it again with openLake()')
    this.#instance ??= DuckDBInstance.create(':memory:', {
      threads: String(this.threads),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    }).then(async (instance) => {
      // The scan lives in the database's catalog: registered once, every connection sees it.
      const conn = await instance.connect()
      try {
        registerStageScan(conn)
      } finally {
        conn.closeSync()
      }
      return instance
    })
    return this.#instance
  }

  /** Runs `fn` on a fresh connection that is closed afterwards (dropping its temp tables). */
  async with<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await (await this.#get()).connect()
    try {
      return await fn(conn)
    } finally {
      conn.closeSync()
    }
  }

  close(): void {
    this.#closed = true
    void this.#instance?.then((i) => i.closeSync()).catch(() => {})
    this.#instance = undefined
  }
}
