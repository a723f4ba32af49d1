import { QueryError, type TableName } from '@k2/core'
import type { CompiledQuery } from './compiled-query.js'
import type { EngineConnection } from './engine.js'

/** The data files a query reads from one table, and the snapshot they belong to. */
export interface FileRead {
  table: TableName
  snapshotId: string | null
  files: readonly string[]
}

// How DuckDB reports a Parquet file whose bytes are damaged without naming it.
const DAMAGED = /TProtocolException|decompress|zstd|snappy|corrupt|Out of buffer|Payload value|Invalid Error|page size|dictionary/i
const PROBE = 'SELECT bit_xor(hash(COLUMNS(*))) FROM read_parquet($1::VARCHAR[])'

/**
 * A failed query over lake files as CORRUPT_TABLE naming the file and the snapshot: when the
 * engine's message names one of the files (missing, truncated), or, for a message that names none
 * (a garbled page or footer), when one of them fails read alone — every column decoded. Null when
 * the files are not to blame. `stopped` tells probing to give up (the query's timeout or close).
 */
export async function unreadableFile(
  err: unknown,
  reads: readonly FileRead[],
  plan: CompiledQuery,
  conn: EngineConnection,
  stopped: () => boolean,
): Promise<QueryError | null> {
  const message = (err as Error).message ?? String(err)
  for (const read of reads) {
    const named = read.files.find((f) => message.includes(f))
    if (named) return corrupt(read, named, message, plan, err)
  }
  if (!DAMAGED.test(message)) return null
  for (const read of reads) {
    for (const file of read.files) {
      if (stopped()) return null
      try {
        for await (const _ of conn.stream(PROBE, [[file]])) {
          // drain: decoding every column is the check
        }
      } catch (probe) {
        if (stopped()) return null
        return corrupt(read, file, (probe as Error).message ?? message, plan, err)
      }
    }
  }
  return null
}

function corrupt(read: FileRead, file: string, message: string, plan: CompiledQuery, cause: unknown): QueryError {
  const snapshot = read.snapshotId === null ? '' : ` (snapshot ${read.snapshotId})`
  return new QueryError(
    'CORRUPT_TABLE',
    `data file ${file} of ${read.table}${snapshot} cannot be read (${message.split('\n')[0]}): restore it from a backup; snapshots without it can still be read with asOf (see history())`,
    plan,
    { cause, details: { table: read.table, snapshotId: read.snapshotId, file } },
  )
}
