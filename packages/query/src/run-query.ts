import { K2Error, QueryError } from '@k2/core'
import type { CompiledQuery } from './compiled-query.js'
import type { EngineBatch } from './engine.js'
import { type FileRead, unreadableFile } from './file-errors.js'
import type { Lease } from './pool.js'
import { recordQuery } from './query-metrics.js'

/**
 * Runs one planned statement on a leased connection, whole or not at all: once its timeout or the
 * layer's close() interrupts it, no further batch is passed on and it fails (QUERY_TIMEOUT,
 * CLOSED), even on an engine that ends an interrupted result quietly instead of failing it. Other
 * failures become CAPACITY (memory), CORRUPT_TABLE (a data file it reads) or QUERY. The lease is
 * released when the stream ends, fails or is abandoned.
 */
export async function* runLeased(
  lease: Lease,
  plan: CompiledQuery & { reads: readonly FileRead[] },
  opts: { timeoutMs: number; running: Set<() => void> },
): AsyncGenerator<EngineBatch> {
  let stopped: 'timeout' | 'closed' | undefined
  const stop = (why: 'timeout' | 'closed') => {
    if (stopped) return
    stopped = why
    lease.suspect()
    lease.conn.interrupt()
  }
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs)
  const onClose = () => stop('closed')
  opts.running.add(onClose)
  const started = performance.now()
  let outcome = 'abandoned' // the consumer stopped reading before the end
  try {
    for await (const b of lease.conn.stream(plan.sql, plan.params)) {
      if (stopped) break
      yield b
    }
    if (stopped) throw new K2Error('QUERY', 'the engine ended an interrupted result without an error')
    outcome = 'ok'
  } catch (err) {
    lease.suspect()
    const e = await failure(err, stopped, lease, plan, opts.timeoutMs, () => stopped !== undefined)
    outcome = e.code
    throw e
  } finally {
    recordQuery(performance.now() - started, outcome)
    clearTimeout(timer)
    opts.running.delete(onClose)
    lease.release()
  }
}

async function failure(
  err: unknown,
  stopped: 'timeout' | 'closed' | undefined,
  lease: Lease,
  plan: CompiledQuery & { reads: readonly FileRead[] },
  timeoutMs: number,
  isStopped: () => boolean,
): Promise<K2Error> {
  if (stopped === 'timeout') {
    return new QueryError(
      'QUERY_TIMEOUT',
      `query ran longer than ${timeoutMs} ms and was interrupted: narrow it (where, between, limit) or raise timeoutMs`,
      plan,
      { cause: err },
    )
  }
  if (stopped === 'closed') {
    return new QueryError('CLOSED', 'the query layer was closed while this query ran: it was interrupted and returns nothing', plan, {
      cause: err,
    })
  }
  if (K2Error.isInstance(err)) return err
  const message = (err as Error).message ?? String(err)
  if (/Out of Memory/i.test(message)) {
    return new QueryError(
      'CAPACITY',
      `query needed more memory than the engine's memoryLimit: narrow it, or raise memoryLimit / set tempDirectory to spill (${message.split('\n')[0]})`,
      plan,
      { cause: err },
    )
  }
  const damaged = await unreadableFile(err, plan.reads, plan, lease.conn, isStopped)
  return damaged ?? new QueryError('QUERY', `query failed: ${message}`, plan, { cause: err })
}
