import {
  type CanonicalSymbol,
  type Exchange,
  FeedError,
  type FeedEventMap,
  type FeedStatus,
  K2Error,
  type MarketEvent,
  type MarketEventSource,
  type Trade,
} from '@k2/core'
import pRetry from 'p-retry'
import type { ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
import { createAdapter } from './adapters/index.js'
import { Connection, type ConnectionHandlers } from './connection.js'
import { EventQueue } from './event-queue.js'
import { FeedEmitter } from './feed-emitter.js'
import { type FeedOptions, type ResolvedFeedOptions, resolveFeedOptions } from './feed-options.js'
import { buildFeedStats, FeedCounters, type FeedStats } from './feed-stats.js'
import { HistoryClient } from './history-client.js'
import { Subscriptions } from './subscriptions.js'
import { TradeSequencer } from './trade-sequencer.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * A live trade feed from one exchange: an async iterable of normalized `Trade`s and an event emitter
 * (`trade`, `status`, `gap`, `dlq`, `frame`, `error`). Create it with `openFeed`.
 */
export class Feed extends FeedEmitter implements MarketEventSource {
  readonly exchange: Exchange
  readonly symbols: readonly CanonicalSymbol[]
  private readonly o: ResolvedFeedOptions
  private readonly adapter: ExchangeAdapter
  private readonly url: string
  private readonly counters: FeedCounters
  private readonly sequencer: TradeSequencer
  private readonly subs: Subscriptions
  private readonly abort = new AbortController()
  private readonly connections = new Set<Connection>()
  private active: Connection | undefined
  private queue: EventQueue<MarketEvent> | undefined
  private history: HistoryClient | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<void> | undefined
  private nextConnId = 0
  private nextReqId = 0
  private lastPingAt = 0
  private lastFrameAt = -1
  private rolling = false
  private paused = false
  private closedFlag = false
  private readonly handlers: ConnectionHandlers

  constructor(options: FeedOptions) {
    super()
    this.o = resolveFeedOptions(options)
    this.exchange = this.o.exchange
    this.symbols = this.o.symbols
    this.adapter = createAdapter(this.exchange, { symbols: this.o.symbols, channel: this.o.channel })
    this.url = this.o.url ?? this.adapter.defaultUrl
    this.subs = new Subscriptions(this.o.symbols)
    this.counters = new FeedCounters(this.exchange, {
      buffered: () => this.queue?.length ?? 0,
      lastMessageAgeMs: () => this.lastMessageAgeMs(),
    })
    const api = this.adapter.history
    if (api !== undefined && this.o.heal) {
      this.history = new HistoryClient(this.adapter, api, {
        restUrl: this.o.restUrl ?? this.adapter.defaultRestUrl,
        minIntervalMs: this.o.historyMinIntervalMs,
        retries: this.o.historyRetries,
        retryMinMs: this.o.historyRetryMinMs,
        maxPages: 1000,
        clock: this.o.clock,
        signal: this.abort.signal,
      })
    }
    const history = this.history
    this.sequencer = new TradeSequencer(this.exchange, this.adapter.contiguousIds, this.o.clock, {
      emit: (t) => this.emitTrade(t),
      gap: (g) => {
        this.counters.gap(g.state)
        this.emit('gap', g)
      },
      heal: history === undefined ? undefined : (symbol, from, to, afterTs) => history.fetchRange(symbol, from, to, afterTs),
      error: (e) => this.reportError(e),
    })
    this.handlers = {
      message: (conn, data) => this.onFrame(conn, data),
      alive: (conn) => {
        conn.lastMessageAt = this.o.clock()
      },
      closed: (conn) => {
        this.connections.delete(conn)
        this.subs.forget(conn)
      },
    }
  }

  /** Connects and subscribes; `openFeed` calls it. */
  start(): this {
    if (this.running !== undefined || this.closedFlag) return this
    this.timer = setInterval(() => this.tick(), this.o.tickMs)
    // Start on the next microtask, so listeners attached right after openFeed() see the first status.
    this.running = Promise.resolve().then(() => this.run())
    return this
  }

  /** Counters for monitoring; the same values are OpenTelemetry instruments on the meter `k2.feeds`. */
  stats(): FeedStats {
    return buildFeedStats({
      exchange: this.exchange,
      symbols: this.symbols,
      counters: this.counters,
      sequencer: this.sequencer,
      subs: this.subs,
      historyRequests: this.history?.requests ?? 0,
      buffered: this.queue?.length ?? 0,
      paused: this.paused,
      lastMessageAgeMs: this.lastMessageAgeMs(),
      connections: this.connections.size,
    })
  }

  /**
   * Iterates trades in order per symbol. The buffer holds `bufferSize` events; when it is full the feed
   * stops reading its socket until the consumer has taken half (nothing is dropped). Breaking out of
   * the loop closes the feed. One iterator per feed.
   */
  [Symbol.asyncIterator](): AsyncIterator<MarketEvent> {
    if (this.queue !== undefined)
      throw new K2Error('VALIDATION', 'a feed can be iterated only once; use feed.on("trade", …) for more consumers')
    this.queue = new EventQueue<MarketEvent>(
      this.o.bufferSize,
      () => this.pauseInput(),
      () => this.resumeInput(),
      () => this.close(),
    )
    if (this.closedFlag) this.queue.end()
    return this.queue
  }

  /** Stops reading sockets (the consumer is behind). Used by merged feeds too. */
  pauseInput(): void {
    this.paused = true
    for (const c of this.connections) c.pause()
  }

  resumeInput(): void {
    this.paused = false
    const now = this.o.clock()
    for (const c of this.connections) {
      c.lastMessageAt = now // silence while paused was ours, not the exchange's
      c.resume()
    }
  }

  /** Closes every connection and ends iteration after the buffered events. */
  async close(): Promise<void> {
    if (this.closedFlag) return
    this.closedFlag = true
    this.abort.abort()
    if (this.timer !== undefined) clearInterval(this.timer)
    for (const c of [...this.connections]) c.close('feed closed')
    this.queue?.end()
    this.status('closed', this.active?.id ?? 0, 'closed by the application')
    await this.running?.catch(() => {})
  }

  get closed(): boolean {
    return this.closedFlag
  }

  private lastMessageAgeMs(): number {
    return this.lastFrameAt < 0 ? -1 : Math.max(0, Math.round((this.o.clock() - this.lastFrameAt) / 1000))
  }

  private emitTrade(t: Trade): void {
    this.counters.trade()
    this.emit('trade', t)
    this.queue?.push(t)
  }

  private reportError(err: K2Error): void {
    this.o.logger.warn(`${this.exchange} feed: ${err.message}`, { code: err.code })
    this.emit('error', err)
  }

  private status(state: FeedStatus['state'], connectionId: number, reason?: string, symbols?: CanonicalSymbol[]): void {
    const s: FeedStatus = { exchange: this.exchange, state, ts: this.o.clock(), connectionId }
    if (symbols !== undefined) s.symbols = symbols
    if (reason !== undefined) s.reason = reason
    this.o.logger.debug(`${this.exchange} feed ${state}`, { connectionId, reason })
    this.emit('status', s)
  }

  private async run(): Promise<void> {
    while (!this.closedFlag) {
      try {
        await pRetry(() => this.connectOnce(), {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: this.o.backoffMinMs,
          maxTimeout: this.o.backoffMaxMs,
          randomize: true,
          signal: this.abort.signal,
          onFailedAttempt: ({ error }) => {
            if (!this.closedFlag) this.reportError(K2Error.from(error, 'CONNECTION'))
          },
        })
      } catch {
        if (this.closedFlag) return
      }
    }
  }

  private async open(): Promise<Connection> {
    const id = ++this.nextConnId
    this.status('connecting', id)
    const conn = await Connection.open(this.url, {
      id,
      exchange: this.exchange,
      handlers: this.handlers,
      now: this.o.clock(),
      timeoutMs: this.o.connectTimeoutMs,
    })
    this.connections.add(conn)
    if (this.paused) conn.pause()
    this.status('connected', id)
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
    this.counters.reconnect()
    this.status('disconnected', conn.id, reason)
    const livedMs = (this.o.clock() - conn.openedAt) / 1000
    if (livedMs >= this.o.healthyAfterMs) return
    throw new FeedError(
      'CONNECTION',
      this.exchange,
      `connection ${conn.id} ended after ${Math.round(livedMs)} ms (${reason}); reconnecting with backoff`,
    )
  }

  private subscribeOn(conn: Connection, symbols: CanonicalSymbol[]): void {
    if (symbols.length === 0) return
    const reqId = ++this.nextReqId
    this.subs.sent(reqId, conn, symbols, this.o.clock())
    for (const frame of this.adapter.subscribe(symbols, this.o.channel, reqId)) conn.send(frame)
  }

  /** Opens a new connection before closing `from`, so nothing is missed (server reconnect requests, lifetime limits). */
  private async rollover(from: Connection, reason: string): Promise<void> {
    if (this.rolling || from !== this.active || this.closedFlag) return
    this.rolling = true
    this.status('disconnected', from.id, `moving to a new connection: ${reason}`)
    try {
      const next = await this.open()
      this.subscribeOn(next, this.subs.wanted())
      const deadline = Date.now() + this.o.subscribeTimeoutMs
      while (!this.subs.settled(next) && Date.now() < deadline && !next.isClosed && !this.closedFlag) await sleep(10)
      if (this.closedFlag || next.isClosed) throw new FeedError('CONNECTION', this.exchange, 'the new connection closed during the move')
      from.retired = true
      this.active = next
      from.close(`replaced by connection ${next.id}`)
    } catch (err) {
      this.reportError(K2Error.from(err, 'CONNECTION'))
      from.terminate(reason)
    } finally {
      this.rolling = false
    }
  }

  private onFrame(conn: Connection, data: string): void {
    const recvTs = this.o.clock()
    conn.lastMessageAt = recvTs
    this.lastFrameAt = recvTs
    this.counters.frame(data.length)
    if (this.listens('frame')) this.emit('frame', { exchange: this.exchange, channel: this.o.channel, recvTs, connectionId: conn.id, data })
    const r: ParsedFrame = this.adapter.parse(data, recvTs)
    switch (r.kind) {
      case 'trades':
        for (const t of r.trades) {
          if (!this.subs.bySymbol.has(t.symbol)) {
            this.deadLetter(
              data,
              recvTs,
              new FeedError('PROTOCOL', this.exchange, `trade for ${t.symbol}, which this feed did not subscribe to`),
            )
            break
          }
          this.subs.touch(t.symbol, recvTs)
          this.sequencer.accept(t, r.snapshot)
        }
        break
      case 'ack': {
        const symbols = this.subs.acked(conn, recvTs, r.symbols, r.reqId)
        if (symbols.length > 0) this.status('subscribed', conn.id, undefined, symbols)
        // Ids that cannot reveal gaps: ask the history what was missed while unsubscribed.
        if (!this.adapter.contiguousIds) for (const s of symbols) this.sequencer.recover(s)
        break
      }
      case 'rejected': {
        const symbols = this.subs.rejected(conn, r.symbols, r.reqId)
        this.reportError(
          new FeedError('SUBSCRIPTION', this.exchange, `${r.error.message} (symbols: ${symbols.join(', ') || 'unknown'})`, {
            cause: r.error,
          }),
        )
        break
      }
      case 'reconnect':
        void this.rollover(conn, r.reason)
        break
      case 'error':
        this.deadLetter(data, recvTs, r.error)
        break
      case 'heartbeat':
      case 'ignored':
        break
    }
  }

  private deadLetter(raw: string, recvTs: number, error: K2Error): void {
    this.counters.deadLetter()
    this.emit('dlq', { exchange: this.exchange, recvTs, raw, errorCode: error.code, errorMessage: error.message })
  }

  /** Watchdogs: dead connections, unanswered subscriptions, pings, lifetime limits and quiet symbols. */
  private tick(): void {
    if (this.closedFlag) return
    const now = this.o.clock()
    const deadUs = (this.o.deadAfterMs ?? this.adapter.deadAfterMs) * 1000
    for (const c of this.connections) {
      if (this.paused) c.lastMessageAt = now
      else if (now - c.lastMessageAt > deadUs) {
        this.reportError(
          new FeedError(
            'CONNECTION',
            this.exchange,
            `connection ${c.id} silent for ${Math.round((now - c.lastMessageAt) / 1000)} ms; replacing it`,
          ),
        )
        c.terminate('silent')
      }
    }
    for (const req of this.subs.overdue(now, this.o.subscribeTimeoutMs * 1000)) {
      this.reportError(
        new FeedError(
          'SUBSCRIPTION',
          this.exchange,
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
    if (quiet.length > 0) {
      this.status('stale', active.id, `no trades for ${this.o.staleAfterMs} ms; renewing the subscription`, quiet)
      for (const frame of this.adapter.unsubscribe(quiet, this.o.channel, ++this.nextReqId)) active.send(frame)
      this.subscribeOn(active, quiet)
    }
  }
}

/**
 * Opens a live trade feed.
 *
 * ```ts
 * const feed = openFeed({ exchange: 'binance', symbols: ['BTC-USDT', 'ETH-USDT'] })
 * for await (const trade of feed) console.log(trade.symbol, trade.price, trade.qty, trade.side)
 * ```
 * @throws K2Error('VALIDATION') for bad options (unknown exchange, malformed symbol, unknown channel).
 */
export function openFeed(options: FeedOptions): Feed {
  return new Feed(options).start()
}
