import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CanonicalSymbol, type Exchange, K2Error, parseExchange } from '@k2/core'
import { type WebSocket, WebSocketServer } from 'ws'
import { type HostileKind, hostileFrame } from './hostile-frames.js'
import type { SimMarket } from './market.js'
import type { ClientState, SimProtocol } from './protocols/protocol.js'
import { type SimBookOptions, SimBooks } from './sim-books.js'
import { type MalformedKind, malformedFrame, protocolFor } from './sim-frames.js'
import { Tape, type TapeTrade } from './tape.js'

export interface SimulatorOptions {
  exchange: Exchange
  /** Canonical symbols the simulated exchange lists; others are refused (Binance: accepted and silent, like the real one). */
  symbols: readonly string[]
  /** Seed of the generated market (default 1). */
  seed?: number
  /** Binance only: serve `@aggTrade` instead of `@trade`. */
  channel?: 'trades' | 'aggTrades'
  /** Keep-alive interval for protocols that send heartbeats (default 1,000 ms). */
  heartbeatMs?: number
  /** WebSocket-level ping interval (default 20,000 ms, Binance's). */
  wsPingMs?: number
  /** When false the server never answers subscriptions ("a server that never answers"). */
  ackSubscriptions?: boolean
  /** Closes every connection this long after it opened ("a server that closes every few seconds"). */
  closeEveryMs?: number
  /** Every n-th REST request is refused with HTTP 429 (rate limit). */
  restFailEvery?: number
  /** Trades of history kept per symbol (default: all). Bound it for long runs; the REST history shrinks with it. */
  historyLimit?: number
  /**
   * Trades of each symbol printed before the simulator starts, as on a market that was already open:
   * subscribe snapshots (Kraken's last 50, Coinbase's last 100) and the REST history serve them.
   */
  pastTrades?: number
  /** The market to trade in (its clock, a price shared with other simulators, first ids); default a random walk on a fixed day. */
  market?: SimMarket
  /** Level-2 books for every symbol, in the exchange's book protocol (`sim.books`); off by default. */
  books?: boolean | SimBookOptions
}

interface Client {
  ws: WebSocket
  state: ClientState
  send(frame: string): void
}

/**
 * A simulated exchange on 127.0.0.1: a real WebSocket server speaking one exchange's protocol and a
 * REST endpoint serving its trade history. It generates trades from a seed (or replays recorded
 * frames), keeps every trade it "printed" as ground truth (`tape`), and injects faults on demand.
 */
export class ExchangeSimulator {
  readonly tape: Tape
  readonly exchange: Exchange
  /** The true books and their faults, with `books: true`. */
  readonly books: SimBooks | undefined
  /** Connections accepted so far. */
  connectionsTotal = 0
  /** Most connections open at the same time (a rollover opens the new one before closing the old). */
  peakConnections = 0
  /** REST requests served so far. */
  restRequests = 0
  private readonly clients = new Set<Client>()
  private readonly protocol: SimProtocol
  private readonly timers: ReturnType<typeof setInterval>[] = []
  private skip = 0
  private truncate = 0
  private duplicate = 0
  private silent = false
  private port = 0

  private constructor(
    private readonly options: SimulatorOptions,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    this.exchange = parseExchange(options.exchange)
    this.tape = new Tape(this.exchange, options.symbols, options.seed ?? 1, undefined, options.historyLimit, options.market)
    this.protocol = protocolFor(this.exchange, options.channel ?? 'trades')
    const books = options.books
    this.books =
      books === undefined || books === false
        ? undefined
        : new SimBooks(this.exchange, this.tape.symbols, options.seed ?? 1, books === true ? {} : books)
    for (const s of this.tape.symbols) for (let i = 0; i < (options.pastTrades ?? 0); i++) this.tape.next(s)
  }

  /** Starts a simulator on a free port of 127.0.0.1. */
  static async start(options: SimulatorOptions): Promise<ExchangeSimulator> {
    const http = createServer()
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false })
    const sim = new ExchangeSimulator(options, http, wss)
    http.on('request', (req, res) => sim.serveRest(req, res))
    wss.on('connection', (ws) => sim.accept(ws))
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(0, '127.0.0.1', () => resolve())
    })
    sim.port = (http.address() as AddressInfo).port
    sim.timers.push(setInterval(() => sim.heartbeats(), options.heartbeatMs ?? 1000))
    if (sim.exchange === 'binance') sim.timers.push(setInterval(() => sim.wsPings(), options.wsPingMs ?? 20_000))
    return sim
  }

  /** The WebSocket URL to give a feed as `url`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}${this.exchange === 'binance' ? '/stream' : this.exchange === 'kraken' ? '/v2' : ''}`
  }
  /** The REST base URL to give a feed as `restUrl`. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }
  /** Open connections. */
  get connections(): number {
    return this.clients.size
  }

  /** Open connections subscribed to `symbol` (to any symbol when omitted). */
  subscribers(symbol?: CanonicalSymbol): number {
    let n = 0
    for (const c of this.clients) if (symbol === undefined ? c.state.subscribed.size > 0 : c.state.subscribed.has(symbol)) n++
    return n
  }

  /** The ground truth: every trade of `symbol` the exchange printed, oldest first. */
  trades(symbol: CanonicalSymbol): readonly TapeTrade[] {
    return this.tape.trades(symbol)
  }

  /**
   * Prints `count` new trades and sends them to subscribers. Runs of consecutive trades of one symbol
   * go in frames of up to `perFrame` trades where the protocol batches (Kraken, Coinbase).
   */
  publish(count = 1, opts: { symbol?: CanonicalSymbol; perFrame?: number } = {}): TapeTrade[] {
    const perFrame = opts.perFrame ?? 1
    const all: TapeTrade[] = []
    // Cork each socket so a burst of frames leaves in one write, as a busy exchange's would.
    const sockets = [...this.clients].map((c) => (c.ws as unknown as { _socket?: { cork?: () => void; uncork?: () => void } })._socket)
    for (const s of sockets) s?.cork?.()
    let run: TapeTrade[] = []
    const flush = () => {
      if (run.length > 0) this.sendTrades(run)
      run = []
    }
    for (let i = 0; i < count; i++) {
      const t = this.tape.next(opts.symbol)
      all.push(t)
      if (run.length > 0 && (run[0]?.symbol !== t.symbol || run.length >= perFrame)) flush()
      run.push(t)
    }
    flush()
    for (const s of sockets) s?.uncork?.()
    return all
  }

  /** Bytes queued in the sockets' send buffers (to pace a fast publisher). */
  get bufferedAmount(): number {
    let n = 0
    for (const c of this.clients) n += c.ws.bufferedAmount
    return n
  }

  /** Sends recorded frames verbatim to every connection. */
  replay(frames: readonly string[]): void {
    for (const f of frames) this.broadcast(f)
  }

  /** Sends one raw frame to every connection. */
  broadcast(frame: string): void {
    if (this.silent) return
    for (const c of this.clients) c.ws.send(frame)
  }

  /** Drops every connection at once, without a close handshake. */
  disconnectAll(): void {
    for (const c of this.clients) c.ws.terminate()
  }

  /** Asks every client to reconnect (where the protocol can), then drops the old connections after `graceMs`. */
  requestReconnect(graceMs = 300): void {
    const frame = this.protocol.reconnectRequest()
    const old = [...this.clients]
    if (frame !== undefined) for (const c of old) c.ws.send(frame)
    setTimeout(() => {
      for (const c of old) c.ws.close(1001, 'going away')
    }, graceMs)
  }

  /** The next `n` trade frames are not sent (the trades stay in the history). */
  skipNext(n: number): void {
    this.skip += n
  }
  /** The next `n` trade frames are cut in half (so their trades are lost on the wire). */
  truncateNext(n: number): void {
    this.truncate += n
  }
  /** The next `n` trade frames are sent twice. */
  duplicateNext(n: number): void {
    this.duplicate += n
  }
  /** While silent nothing is sent at all: no trades, heartbeats or answers. Trades printed meanwhile stay in the history. */
  setSilent(silent: boolean): void {
    this.silent = silent
  }

  /** Sends one malformed frame of the given kind to every connection. */
  sendMalformed(kind: MalformedKind): void {
    if (this.silent) return
    for (const c of this.clients) c.ws.send(malformedFrame(kind, this.protocol, c.state, this.tape.symbols[0] as CanonicalSymbol))
  }

  /**
   * Sends one hostile frame of `kind` (see `HOSTILE_KINDS`) to every connection subscribed to `symbol`
   * (default: the first listed). It carries the symbol's next real trade id and prints nothing: the
   * tape is unchanged, so a feed must dead-letter it and still emit the real trade with that id.
   * Returns the number of connections it was sent to.
   */
  sendHostile(kind: HostileKind, symbol: CanonicalSymbol = this.tape.symbols[0] as CanonicalSymbol): number {
    if (this.silent) return 0
    const frame = hostileFrame(kind, this.exchange, this.protocol, this.tape.upcoming(symbol))
    let sent = 0
    for (const c of this.clients) {
      if (!c.state.subscribed.has(symbol)) continue
      if (typeof frame === 'string') c.ws.send(frame)
      else c.ws.send(frame, { binary: true })
      sent++
    }
    return sent
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t)
    for (const c of this.clients) c.ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    this.http.closeAllConnections()
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }

  private sendTrades(run: TapeTrade[]): void {
    if (this.skip > 0) {
      this.skip--
      return
    }
    const cut = this.truncate > 0
    if (cut) this.truncate--
    const twice = !cut && this.duplicate > 0
    if (twice) this.duplicate--
    if (this.silent) return
    const symbol = run[0]?.symbol as CanonicalSymbol
    for (const c of this.clients) {
      if (!c.state.subscribed.has(symbol)) continue
      for (const frame of this.protocol.trades(c.state, run)) {
        c.ws.send(cut ? frame.slice(0, Math.floor(frame.length / 2)) : frame)
        if (twice) c.ws.send(frame)
      }
    }
  }

  private accept(ws: WebSocket): void {
    this.connectionsTotal++
    const client: Client = {
      ws,
      state: { subscribed: new Set(), sequence: 0, heartbeats: false },
      send: (frame) => {
        if (!this.silent) ws.send(frame)
      },
    }
    this.clients.add(client)
    this.peakConnections = Math.max(this.peakConnections, this.clients.size)
    ws.on('close', () => {
      this.clients.delete(client)
      this.books?.forget(client)
    })
    ws.on('error', () => {})
    ws.on('message', (data) => this.onClientMessage(client, data.toString()))
    if (!this.silent) for (const f of this.protocol.greeting()) ws.send(f)
    const every = this.options.closeEveryMs
    if (every !== undefined) setTimeout(() => ws.terminate(), every)
  }

  private onClientMessage(client: Client, text: string): void {
    if (this.silent) return
    if (this.books?.handle(client, text)) return
    const req = this.protocol.read(text)
    const send = (frames: string[]) => {
      for (const f of frames) client.ws.send(f)
    }
    switch (req.kind) {
      case 'subscribe': {
        if (this.options.ackSubscriptions === false) return
        if (req.heartbeats) client.state.heartbeats = true
        const known: CanonicalSymbol[] = []
        const unknown: string[] = []
        for (const n of req.symbols) {
          const s = this.protocol.canonical(n, this.tape)
          if (s === undefined) unknown.push(n)
          else known.push(s)
        }
        for (const s of known) client.state.subscribed.add(s)
        send(this.protocol.subscribed(client.state, known, unknown, req.reqId, this.tape))
        return
      }
      case 'unsubscribe':
        for (const n of req.symbols) {
          const s = this.protocol.canonical(n, this.tape)
          if (s !== undefined) client.state.subscribed.delete(s)
        }
        return
      case 'ping':
        send(this.protocol.pong(client.state, req.reqId))
        return
      case 'bad':
        send([req.reply])
        return
    }
  }

  private heartbeats(): void {
    if (this.silent) return
    for (const c of this.clients) {
      const f = this.protocol.heartbeat(c.state)
      if (f !== undefined) c.ws.send(f)
    }
  }

  private wsPings(): void {
    if (this.silent) return
    for (const c of this.clients) c.ws.ping()
  }

  private serveRest(req: IncomingMessage, res: ServerResponse): void {
    this.restRequests++
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const every = this.options.restFailEvery
    if (every !== undefined && this.restRequests % every === 0) {
      res.writeHead(429, { 'content-type': 'application/json' }).end('{"code":-1003,"msg":"Too many requests."}')
      return
    }
    const answer = this.books?.rest(url.pathname, url.searchParams) ?? this.protocol.rest(url.pathname, url.searchParams, this.tape)
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
      return
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
  }
}

/** Starts an exchange simulator on 127.0.0.1 (a free port). Close it with `await sim.close()`. */
export function startSimulator(options: SimulatorOptions): Promise<ExchangeSimulator> {
  if (typeof options !== 'object' || options === null) throw new K2Error('VALIDATION', 'startSimulator needs { exchange, symbols }')
  return ExchangeSimulator.start(options)
}
