import type { CanonicalSymbol, FeedStatus } from '@k2/core'
import { FeedError, K2Error } from '@k2/core'
import pRetry from 'p-retry'
import type { ExchangeAdapter } from './adapters/adapter.js'
import { backoffDelay, retryTimings, sleepUnlessAborted } from './backoff.js'
import { Connection, type ConnectionHandlers } from './connection.js'
import type { ResolvedFeedOptions } from './feed-options.js'
import type { Subscriptions } from './subscriptions.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err))

/** What the supervisor reports to its feed. */
export interface SupervisorHost {
  frame(conn: Connection, data: string): void
  status(state: FeedStatus['state'], connectionId: number, reason?: string, symbols?: CanonicalSymbol[]): void
  error(err: K2Error): void
  /** A connection ended and a new one will be made. */
  reconnecting(): void
  /** A connection is being subscribed (the book channel moves to it). */
  subscribing?(conn: Connection): void
}

/**
 * Keeps a feed connected: reconnects with p-retry backoff (backing off as well when p-retry itself
 * gives up), subscribes each new connection, moves to a new connection before closing the old one when
 * asked, and runs the watchdogs (silent connections, unanswered subscriptions, pings, lifetime limits,
 * quiet symbols).
 */
export class ConnectionSupervisor {
  readonly connections = new Set<Connection>()
  active: Connection | undefined
  private readonly abort = new AbortController()
  private readonly handlers: ConnectionHandlers
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<void> | undefined
  private nextConnId = 0
  private nextReqId = 0
  private lastPingAt = 0
  private rolling = false
  private paused = false
  private closedFlag = false

  constructor(
    private readonly o: ResolvedFeedOptions,
    private readonly adapter: ExchangeAdapter,
    private readonly url: string,
    private readonly subs: Subscriptions,
    private readonly host: SupervisorHost,
  ) {
    this.handlers = {
      message: (conn, data) => host.frame(conn, data),
      alive: (conn) => {
        conn.lastMessageAt = this.o.clock()
      },
      closed: (conn) => {
        this.connections.delete(conn)
        this.subs.forget(conn)
      },
    }
  }

  get isPaused(): boolean {
    return this.paused
  }

  start(): void {
    if (this.running !== undefined || this.closedFlag) return
    this.timer = setInterval(() => this.tick(), this.o.tickMs)
    // Start on the next microtask, so listeners attached right after openFeed() see the first status.
    this.running = Promise.resolve().then(() => this.run())
  }

  /** Closes every connection and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.closedFlag) return
    this.closedFlag = true
    this.abort.abort()
    if (this.timer !== undefined) clearInterval(this.timer)
    for (const c of [...this.connections]) c.close('feed closed')
    await this.running?.catch(() => {})
  }

  /**
   * Stops reading sockets (the consumer is behind). A WebSocket that cannot pause (the WHATWG one) is
   * dropped instead: reconnecting waits until the consumer catches up, and the gap is healed then.
   */
  pause(): void {
    this.paused = true
    for (const c of [...this.connections]) {
      if (c.canPause) c.pause()
      else c.terminate('the consumer is behind and this WebSocket cannot pause reading')
    }
  }

  resume(): void {
    this.paused = false
    const now = this.o.clock()
    for (const c of this.connections) {
      c.lastMessageAt = now // silence while paused was ours, not the exchange's
      c.resume()
    }
  }

  private async run(): Promise<void> {
    const backoff = { minMs: this.o.backoffMinMs, maxMs: this.o.backoffMaxMs }
    let stops = 0
    while (!this.closedFlag) {
      try {
        await pRetry(() => this.attempt(), {
          retries: Number.POSITIVE_INFINITY,
          ...retryTimings(backoff),
          signal: this.abort.signal,
          onFailedAttempt: ({ error }) => {
            if (!this.closedFlag) this.host.error(K2Error.from(error, 'CONNECTION'))
          },
        })
        stops = 0 // a healthy connection ended: reconnect at once
      } catch (err) {
        if (this.closedFlag) return
        // p-retry gave up (an onFailedAttempt that threw, or p-retry unable to run at all): report it and
        // wait as a reconnect would, so that no error turns this loop into one that never yields.
        const waitMs = backoffDelay(stops++, backoff)
        this.reportSafely(
          new K2Error(
            'INTERNAL',
            `the reconnect loop stopped (${errorText(err)}); it starts again in ${waitMs} ms. ` +
              'An error thrown by an "error" listener or the logger ends up here; anything else is a bug in K2: report it with this cause',
            { cause: err },
          ),
        )
        await sleepUnlessAborted(waitMs, this.abort.signal)
      }
    }
  }

  /**
   * One attempt for p-retry, which gives up at once on a TypeError or an AbortError: an error the feed
   * did not expect becomes a K2Error, so it is retried with backoff like a failed connect.
   */
  private async attempt(): Promise<void> {
    try {
      await this.connectOnce()
    } catch (err) {
      if (K2Error.isInstance(err)) throw err
      throw new K2Error('INTERNAL', `unexpected error in a connection attempt (${errorText(err)}); retrying with backoff`, {
        cause: err,
      })
    }
  }

  /** Reports from the reconnect loop: a listener or logger that throws must not end the loop. */
  private reportSafely(err: K2Error): void {
    try {
      this.host.error(err)
    } catch {
      // the host counts and logs an error before its listeners run
    }
  }

  private async open(): Promise<Connection> {
    const id = ++this.nextConnId
    this.host.status('connecting', id)
    const conn = await Connection.open(this.url, {
      id,
      exchange: this.adapter.exchange,
      handlers: this.handlers,
      now: this.o.clock(),
      timeoutMs: this.o.connectTimeoutMs,
      transport: this.o.transport,
    })
    this.connections.add(conn)
    if (this.paused) conn.pause()
    this.host.status('connected', id)
    return conn
  }

  /** One connection's life. Resolves when a healthy connection ends (reconnect at once), throws otherwise (backoff grows). */
  private async connectOnce(): Promise<void> {
    while (this.paused && !this.closedFlag) await sleep(50)
    if (this.closedFlag) return
    let conn = await this.open()
    if (this.closedFlag) {
      conn.close('feed closed')
      return
    }
    this.active = conn
    this.subscribeOn(conn, this.subs.wanted())
    let reason = await conn.closed
    // A rollover replaces the active connection: follow it.
    while (conn.retired && this.active !== undefined && this.active !== conn && !this.closedFlag) {
      conn = this.active
      reason = await conn.closed
    }
    if (this.closedFlag) return
    this.host.reconnecting()
    this.host.status('disconnected', conn.id, reason)
    const livedMs = (this.o.clock() - conn.openedAt) / 1000
    if (livedMs >= this.o.healthyAfterMs) return
    throw new FeedError(
      'CONNECTION',
      this.adapter.exchange,
      `connection ${conn.id} ended after ${Math.round(livedMs)} ms (${reason}); reconnecting with backoff`,
    )
  }

  private subscribeOn(conn: Connection, symbols: CanonicalSymbol[]): void {
    if (symbols.length === 0) return
    this.host.subscribing?.(conn)
    if (!this.o.trades) return
    const reqId = ++this.nextReqId
    this.subs.sent(reqId, conn, symbols, this.o.clock())
    for (const frame of this.adapter.subscribe(symbols, this.o.channel, reqId)) conn.send(frame)
  }

  /** Opens a new connection before closing `from`, so nothing is missed (server reconnect requests, lifetime limits). */
  async rollover(from: Connection, reason: string): Promise<void> {
    if (this.rolling || from !== this.active || this.closedFlag) return
    this.rolling = true
    this.host.status('disconnected', from.id, `moving to a new connection: ${reason}`)
    try {
      const next = await this.open()
      this.subscribeOn(next, this.subs.wanted())
      const deadline = Date.now() + this.o.subscribeTimeoutMs
      while (!this.subs.settled(next) && Date.now() < deadline && !next.isClosed && !this.closedFlag) await sleep(10)
      if (this.closedFlag || next.isClosed)
        throw new FeedError('CONNECTION', this.adapter.exchange, 'the new connection closed during the move')
      from.retired = true
      this.active = next
      from.close(`replaced by connection ${next.id}`)
    } catch (err) {
      this.host.error(K2Error.from(err, 'CONNECTION'))
      from.terminate(reason)
    } finally {
      this.rolling = false
    }
  }

  /** Watchdogs: dead connections, unanswered subscriptions, pings, lifetime limits and quiet symbols. */
  private tick(): void {
    if (this.closedFlag) return
    const now = this.o.clock()
    const deadUs = (this.o.deadAfterMs ?? this.adapter.deadAfterMs) * 1000
    for (const c of this.connections) {
      if (this.paused) c.lastMessageAt = now
      else if (now - c.lastMessageAt > deadUs) {
        this.host.error(
          new FeedError(
            'CONNECTION',
            this.adapter.exchange,
            `connection ${c.id} silent for ${Math.round((now - c.lastMessageAt) / 1000)} ms; replacing it`,
          ),
        )
        c.terminate('silent')
      }
    }
    for (const req of this.subs.overdue(now, this.o.subscribeTimeoutMs * 1000)) {
      this.host.error(
        new FeedError(
          'SUBSCRIPTION',
          this.adapter.exchange,
          `subscription to ${[...req.symbols].join(', ')} not acknowledged within ${this.o.subscribeTimeoutMs} ms; reconnecting`,
        ),
      )
      this.subs.forget(req.conn)
      req.conn.terminate('subscription not acknowledged')
    }
    const active = this.active
    if (active === undefined || active.isClosed) return
    if (now - this.lastPingAt >= this.o.pingIntervalMs * 1000) {
      this.lastPingAt = now
      const ping = this.adapter.ping(++this.nextReqId)
      if (ping !== undefined) active.send(ping)
    }
    const lifetime = this.o.maxLifetimeMs ?? this.adapter.maxLifetimeMs
    if (lifetime !== undefined && now - active.openedAt >= lifetime * 1000) void this.rollover(active, 'connection lifetime limit')
    const quiet = this.subs.goneQuiet(now, this.o.staleAfterMs * 1000)
    if (quiet.length > 0 && this.o.trades) {
      this.host.status('stale', active.id, `no trades for ${this.o.staleAfterMs} ms; renewing the subscription`, quiet)
      for (const frame of this.adapter.unsubscribe(quiet, this.o.channel, ++this.nextReqId)) active.send(frame)
      this.subscribeOn(active, quiet)
    }
  }
}
