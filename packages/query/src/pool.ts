import { K2Error } from '@k2/core'
import type { EngineConnection, QueryEngine } from './engine.js'

export interface PoolOptions {
  /** Connections opened at most (default 2). */
  size?: number
  /** Callers that may wait for a connection; one more is rejected with `K2Error('CAPACITY')` (default 64). */
  maxQueue?: number
  /** A connection idle longer than this is pinged before reuse (default 30 s). */
  idleCheckMs?: number
}

export interface PoolStats {
  size: number
  open: number
  busy: number
  queued: number
  rejected: number
  replaced: number
}

/** A connection lent by the pool. */
export interface Lease {
  readonly conn: EngineConnection
  suspect(): void
  release(): void
}

interface Slot {
  conn: EngineConnection
  lastUsed: number
  /** Set after an interrupt or error: ping before the next use. */
  suspect: boolean
}

/**
 * A small fixed-size pool of engine connections with a bounded wait queue. A burst larger than
 * `size + maxQueue` is rejected at once (`CAPACITY`) instead of piling up; connections that failed
 * or sat idle are health-checked (`ping`) before reuse and replaced when the check fails.
 */
export class ConnectionPool {
  readonly #engine: QueryEngine
  readonly #size: number
  readonly #maxQueue: number
  readonly #idleCheckMs: number
  readonly #idle: Slot[] = []
  readonly #waiters: ((slot: Slot | Error) => void)[] = []
  #open = 0
  #busy = 0
  #rejected = 0
  #replaced = 0
  #closed = false
  #drained: (() => void) | undefined

  constructor(engine: QueryEngine, { size = 2, maxQueue = 64, idleCheckMs = 30_000 }: PoolOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 1) throw new K2Error('VALIDATION', `pool size must be a positive integer, got ${size}`)
    if (!Number.isSafeInteger(maxQueue) || maxQueue < 0)
      throw new K2Error('VALIDATION', `pool maxQueue must be an integer >= 0, got ${maxQueue}`)
    this.#engine = engine
    this.#size = size
    this.#maxQueue = maxQueue
    this.#idleCheckMs = idleCheckMs
  }

  stats(): PoolStats {
    return {
      size: this.#size,
      open: this.#open,
      busy: this.#busy,
      queued: this.#waiters.length,
      rejected: this.#rejected,
      replaced: this.#replaced,
    }
  }

  /** A connection of one's own until `release()`; `suspect()` asks for a health check before its next use. */
  async acquire(): Promise<Lease> {
    const slot = await this.#acquire()
    let released = false
    return {
      conn: slot.conn,
      suspect: () => {
        slot.suspect = true
      },
      release: () => {
        if (released) return
        released = true
        this.#release(slot)
      },
    }
  }

  async #acquire(): Promise<Slot> {
    if (this.#closed) throw new K2Error('CLOSED', 'the query layer is closed: create a new one')
    const idle = this.#idle.pop()
    if (idle) {
      this.#busy++
      return this.#healthy(idle)
    }
    if (this.#open < this.#size) {
      this.#open++
      this.#busy++
      try {
        return { conn: await this.#engine.connect(), lastUsed: Date.now(), suspect: false }
      } catch (err) {
        this.#open--
        this.#busy--
        throw K2Error.from(err, 'QUERY', `could not open a ${this.#engine.name} connection: ${(err as Error).message}`)
      }
    }
    if (this.#waiters.length >= this.#maxQueue) {
      this.#rejected++
      throw new K2Error(
        'CAPACITY',
        `query queue is full (${this.#size} running, ${this.#maxQueue} waiting): retry later, or raise pool.maxQueue / pool.size`,
        { details: { size: this.#size, maxQueue: this.#maxQueue } },
      )
    }
    const got = await new Promise<Slot | Error>((resolve) => this.#waiters.push(resolve))
    if (got instanceof Error) throw got
    return this.#healthy(got)
  }

  async #healthy(slot: Slot): Promise<Slot> {
    if (!slot.suspect && Date.now() - slot.lastUsed < this.#idleCheckMs) return slot
    try {
      await slot.conn.ping()
      slot.suspect = false
      return slot
    } catch {
      this.#replaced++
      await slot.conn.close().catch(() => {})
      try {
        return { conn: await this.#engine.connect(), lastUsed: Date.now(), suspect: false }
      } catch (err) {
        this.#open--
        this.#busy--
        this.#wakeForOpen()
        throw K2Error.from(err, 'QUERY', `could not reopen a ${this.#engine.name} connection: ${(err as Error).message}`)
      }
    }
  }

  #release(slot: Slot): void {
    slot.lastUsed = Date.now()
    const next = this.#waiters.shift()
    if (next && !this.#closed) {
      next(slot) // hand over: stays busy
      return
    }
    this.#busy--
    if (this.#closed) {
      this.#open--
      void slot.conn.close().catch(() => {})
      if (this.#busy === 0) this.#drained?.()
    } else this.#idle.push(slot)
  }

  /** A connection slot was freed without a connection: let one waiter open a fresh one. */
  #wakeForOpen(): void {
    const next = this.#waiters.shift()
    if (!next) return
    this.#open++
    this.#busy++
    this.#engine.connect().then(
      (conn) => next({ conn, lastUsed: Date.now(), suspect: false }),
      (err) => {
        this.#open--
        this.#busy--
        next(K2Error.from(err, 'QUERY'))
      },
    )
  }

  /** Rejects waiters, closes idle connections, and resolves once running queries have ended and closed theirs. */
  async close(): Promise<void> {
    this.#closed = true
    for (const w of this.#waiters.splice(0)) w(new K2Error('CLOSED', 'the query layer was closed while this query waited'))
    const idle = this.#idle.splice(0)
    this.#open -= idle.length
    await Promise.all(idle.map((s) => s.conn.close().catch(() => {})))
    if (this.#busy > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
  }
}

/** Throws `K2Error('VALIDATION')` for pool options out of range; returns them otherwise. */
export function checkPoolOptions(options: PoolOptions): PoolOptions {
  const { size = 2, maxQueue = 64, idleCheckMs = 30_000 } = options
  if (!Number.isSafeInteger(size) || size < 1) throw new K2Error('VALIDATION', `pool size must be a positive integer, got ${size}`)
  if (!Number.isSafeInteger(maxQueue) || maxQueue < 0)
    throw new K2Error('VALIDATION', `pool maxQueue must be an integer >= 0, got ${maxQueue}`)
  if (!Number.isSafeInteger(idleCheckMs) || idleCheckMs < 0)
    throw new K2Error('VALIDATION', `pool idleCheckMs must be an integer >= 0, got ${idleCheckMs}`)
  return options
}
