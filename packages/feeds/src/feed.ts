import {
  type BookDelta,
  type BookSnapshot,
  type CanonicalSymbol,
  type Exchange,
  FeedError,
  type FeedStatus,
  K2Error,
  type MarketEvent,
  type MarketEventSource,
  type Quote,
  type Trade,
} from '@k2/core'
import type { BookAdapter, ExchangeAdapter, ParsedFrame } from './adapters/adapter.js'
import { createAdapter } from './adapters/index.js'
import { FeedBooks } from './book/feed-books.js'
import type { OrderBook } from './book/order-book.js'
import type { Connection } from './connection.js'
import { ConnectionSupervisor } from './connection-supervisor.js'
import { EventQueue } from './event-queue.js'
import { FeedEmitter } from './feed-emitter.js'
import { type FeedOptions, type ResolvedFeedOptions, resolveFeedOptions } from './feed-options.js'
import { buildFeedStats, FeedCounters, type FeedStats } from './feed-stats.js'
import { errorText, parseBookGuarded, parseGuarded } from './guarded-parse.js'
import { HistoryClient } from './history-client.js'
import { PreIterationBuffer } from './pre-iteration-buffer.js'
import { Subscriptions } from './subscriptions.js'
import { TradeSequencer } from './trade-sequencer.js'

/**
 * A live trade feed from one exchange: an async iterable of normalized `Trade`s and an event emitter
 * (`trade`, `status`, `gap`, `dlq`, `frame`, `error`). Create it with `openFeed`.
 */
export class Feed extends FeedEmitter implements MarketEventSource {
  readonly exchange: Exchange
  readonly symbols: readonly CanonicalSymbol[]
  private readonly o: ResolvedFeedOptions
  private readonly adapter: ExchangeAdapter
  private readonly counters: FeedCounters
  private readonly sequencer: TradeSequencer
  private readonly subs: Subscriptions
  private readonly abort = new AbortController()
  private readonly link: ConnectionSupervisor
  private readonly books: FeedBooks | undefined
  private queue: EventQueue<MarketEvent> | undefined
  private early: PreIterationBuffer<MarketEvent> | undefined
  private history: HistoryClient | undefined
  private lastFrameAt = -1
  private closedFlag = false
  private queueFull = false
  private pausedOutside = false

  constructor(options: FeedOptions) {
    super()
    this.o = resolveFeedOptions(options)
    this.exchange = this.o.exchange
    this.symbols = this.o.symbols
    this.adapter = createAdapter(this.exchange, { symbols: this.o.symbols, channel: this.o.channel })
    this.subs = new Subscriptions(this.o.symbols)
    this.early = new PreIterationBuffer(this.o.bufferSize)
    this.counters = new FeedCounters(this.exchange, {
      buffered: () => this.queue?.length ?? 0,
      lastMessageAgeMs: () => this.lastMessageAgeMs(),
      connections: () => this.link?.connections.size ?? 0,
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
    if (this.o.book)
      this.books = new FeedBooks(
        this.adapter as ExchangeAdapter & BookAdapter,
        {
          symbols: this.o.symbols,
          depth: this.o.depth,
          restUrl: this.o.restUrl ?? this.adapter.defaultRestUrl,
          clock: this.o.clock,
          signal: this.abort.signal,
          retries: this.o.historyRetries,
          retryMinMs: this.o.historyRetryMinMs,
          snapshots: this.o.bookSnapshots,
        },
        {
          event: (ev) => this.emitBook(ev),
          desync: (d) => {
            this.o.logger.info(`${this.exchange} ${d.symbol} book desync (${d.reason}): ${d.detail}; resynchronizing`)
            this.emit('desync', d)
          },
          error: (e) => this.reportError(e),
          deadLetter: (raw, recvTs, e) => this.deadLetter(raw, recvTs, e),
        },
      )
    const history = this.history
    this.sequencer = new TradeSequencer(this.exchange, this.adapter.contiguousIds, this.o.clock, {
      emit: (t) => this.emitTrade(t),
      gap: (g) => {
        this.counters.gap(g.state)
        this.emit('gap', g)
      },
      heal: history === undefined ? undefined : (symbol, from, to, afterTs) => history.fetchRange(symbol, from, to, afterTs),
      error: (e) => this.reportError(e),
      released: () => this.updateFlow(),
    })
    this.link = new ConnectionSupervisor(this.o, this.adapter, this.o.url ?? this.adapter.defaultUrl, this.subs, {
      frame: (conn, data) => this.onFrame(conn, data),
      status: (state, id, reason, symbols) => {
        if (state === 'disconnected') this.books?.onDisconnected(id)
        this.status(state, id, reason, symbols)
      },
      error: (e) => this.reportError(e),
      reconnecting: () => this.counters.reconnect(),
      subscribing: (conn) => this.books?.onConnection(conn),
    })
  }

  /** Connects and subscribes; `openFeed` calls it. */
  start(): this {
    if (!this.closedFlag) this.link.start()
    return this
  }

  /** Stops reading sockets because a consumer outside the feed is behind (merged feeds use it). */
  pauseInput(): void {
    this.pausedOutside = true
    this.updateFlow()
  }

  resumeInput(): void {
    this.pausedOutside = false
    this.updateFlow()
  }

  /**
   * Reading stops while the iterator's buffer is full, while more than `bufferSize` live trades are held
   * back behind gaps being healed, or while an outside consumer asked; it resumes when none holds.
   */
  private updateFlow(): void {
    const stop = this.queueFull || this.pausedOutside || this.sequencer.held > this.o.bufferSize
    if (stop && !this.link.isPaused) this.link.pause()
    else if (!stop && this.link.isPaused) this.link.resume()
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
      paused: this.link.isPaused,
      lastMessageAgeMs: this.lastMessageAgeMs(),
      connections: this.link.connections.size,
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
    const pending: MarketEvent[] = []
    this.early?.handOver((ev) => pending.push(ev)) // what arrived before this call; throws if it overflowed
    this.early = undefined
    this.queue = new EventQueue<MarketEvent>(
      this.o.bufferSize,
      () => {
        this.queueFull = true
        this.updateFlow()
      },
      () => {
        this.queueFull = false
        this.updateFlow()
      },
      () => this.close(),
    )
    for (const ev of pending) this.queue.push(ev)
    if (this.closedFlag) this.queue.end()
    return this.queue
  }

  /** @internal a merged feed iterates its own queue: this feed keeps nothing for an iterator of its own */
  forgoIteration(): void {
    this.early = undefined
  }

  /** Closes every connection and ends iteration after the buffered events. */
  async close(): Promise<void> {
    if (this.closedFlag) return
    this.closedFlag = true
    this.abort.abort()
    const last = this.link.active?.id ?? 0
    const stopped = this.link.stop()
    this.queue?.end()
    this.status('closed', last, 'closed by the application')
    await stopped
    this.counters.dispose()
  }

  get closed(): boolean {
    return this.closedFlag
  }

  private lastMessageAgeMs(): number {
    return this.lastFrameAt < 0 ? -1 : Math.max(0, Math.round((this.o.clock() - this.lastFrameAt) / 1000))
  }

  private emitTrade(t: Trade): void {
    this.counters.trade(t)
    this.emit('trade', t)
    if (this.queue) this.queue.push(t)
    else this.early?.push(t)
  }

  /**
   * The live book of `symbol` (channel `book`): empty while it waits for a snapshot, never one known to
   * be wrong. Read it, do not change it; undefined without the book channel.
   */
  book(symbol: string): OrderBook | undefined {
    return this.books?.book(symbol as CanonicalSymbol)
  }

  private emitBook(ev: BookSnapshot | BookDelta | Quote): void {
    if (ev.type === 'quote') this.emit('quote', ev)
    else this.emit('book', ev)
    if (this.queue) this.queue.push(ev)
    else this.early?.push(ev)
  }

  private reportError(err: K2Error): void {
    this.counters.error(err.code)
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

  /**
   * One frame from the socket. Nothing in it may escape: this runs inside the socket's `message`
   * listener, where a throw would stop the feed reading (or end the process).
   */
  private onFrame(conn: Connection, data: string): void {
    try {
      this.dispatch(conn, data)
    } catch (err) {
      // An application listener that threw (trade, dlq, status…), or a bug: report it and keep reading.
      try {
        this.reportError(
          K2Error.from(
            err,
            'INTERNAL',
            `handling a frame failed (${errorText(err)}); a listener threw or this is a K2 bug; reading goes on`,
          ),
        )
      } catch {
        // An `error` listener threw in turn; reportError logged the error before calling it.
      }
    }
  }

  private dispatch(conn: Connection, data: string): void {
    const recvTs = this.o.clock()
    conn.lastMessageAt = recvTs
    this.lastFrameAt = recvTs
    this.counters.frame(data.length)
    if (this.listens('frame')) this.emit('frame', { exchange: this.exchange, channel: this.o.channel, recvTs, connectionId: conn.id, data })
    const books = this.books
    if (books === undefined) {
      this.handle(conn, data, recvTs, parseGuarded(this.adapter, data, recvTs))
      return
    }
    const adapter = this.adapter as ExchangeAdapter & BookAdapter
    if (adapter.sequenceOf !== undefined) books.onSequence(conn, adapter.sequenceOf(data))
    const r = parseBookGuarded(adapter, data, recvTs)
    if (r.kind === 'book') books.onBooks(conn, r.books, data, recvTs)
    else if (!books.isBookAnswer(r, data)) this.handle(conn, data, recvTs, r)
    else if (r.kind === 'rejected')
      this.reportError(new FeedError('SUBSCRIPTION', this.exchange, `book subscription refused: ${r.error.message}`, { cause: r.error }))
  }

  private handle(conn: Connection, data: string, recvTs: number, r: ParsedFrame): void {
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
          this.sequencer.accept(t)
        }
        if (this.sequencer.held > this.o.bufferSize) this.updateFlow()
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
        void this.link.rollover(conn, r.reason)
        break
      case 'error':
        this.deadLetter(data, recvTs, r.error)
        // Not a bad frame but a bug: it goes to the error event as well.
        if (r.error.code === 'INTERNAL') this.reportError(r.error)
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
