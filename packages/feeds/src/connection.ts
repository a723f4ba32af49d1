import { type Exchange, FeedError } from '@k2/core'

/** The part of a WebSocket a connection needs; both `ws` and the WHATWG `WebSocket` provide it. */
interface SocketLike {
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface ConnectionHandlers {
  message(conn: Connection, data: string): void
  /** Transport-level keep-alive (a WebSocket ping from the server), which the WHATWG API cannot see. */
  alive(conn: Connection): void
  closed(conn: Connection, reason: string): void
}

/** A WebSocket constructor: `ws` on Node, or the runtime's global `WebSocket`. */
export type WebSocketFactory = (url: string) => Promise<Connection['socket']>

let wsModule: Promise<typeof import('ws')> | undefined

/** Which WebSocket implementation to use; `auto`: `ws` on Node (it can pause reading), the global one elsewhere. */
export type Transport = 'auto' | 'ws' | 'native'

function useWs(transport: Transport): boolean {
  if (transport !== 'auto') return transport === 'ws'
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process
  return typeof proc?.versions?.node === 'string' || typeof globalThis.WebSocket !== 'function'
}

/**
 * One WebSocket connection. It owns no policy (reconnects, subscriptions and watchdogs are the feed's);
 * it opens, forwards text frames, can pause reading (ws only) and reports its close exactly once.
 */
export class Connection {
  socket: SocketLike | undefined
  readonly openedAt: number
  lastMessageAt: number
  /** Set when a newer connection took over: its close is expected. */
  retired = false
  private done = false
  private pauser: { pause(): void; resume(): void } | undefined
  readonly closed: Promise<string>
  private resolveClosed!: (reason: string) => void

  private constructor(
    readonly id: number,
    readonly exchange: Exchange,
    private readonly handlers: ConnectionHandlers,
    now: number,
  ) {
    this.openedAt = now
    this.lastMessageAt = now
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
  }

  /** Opens a connection to `url`, rejecting with `FeedError('CONNECTION')` if it fails or takes longer than `timeoutMs`. */
  static async open(
    url: string,
    opts: { id: number; exchange: Exchange; handlers: ConnectionHandlers; now: number; timeoutMs: number; transport: Transport },
  ): Promise<Connection> {
    const conn = new Connection(opts.id, opts.exchange, opts.handlers, opts.now)
    if (!useWs(opts.transport) && typeof globalThis.WebSocket !== 'function')
      throw new FeedError(
        'UNSUPPORTED',
        opts.exchange,
        'transport "native" needs a global WebSocket (Deno, browsers, Node 22+); use "auto"',
      )
    await (useWs(opts.transport) ? conn.openWs(url, opts.timeoutMs) : conn.openNative(url, opts.timeoutMs))
    return conn
  }

  get canPause(): boolean {
    return this.pauser !== undefined
  }

  send(data: string): void {
    if (!this.done) this.socket?.send(data)
  }

  pause(): void {
    this.pauser?.pause()
  }
  resume(): void {
    this.pauser?.resume()
  }

  /** Closes politely. */
  close(reason: string): void {
    if (this.done) return
    try {
      this.socket?.close(1000, reason.slice(0, 100))
    } catch {
      // already closing
    }
    this.finish(reason)
  }

  /** Drops the connection at once (a dead or silent socket). */
  terminate(reason: string): void {
    if (this.done) return
    const s = this.socket as { terminate?: () => void } | undefined
    try {
      if (typeof s?.terminate === 'function') s.terminate()
      else this.socket?.close(4000, reason.slice(0, 100))
    } catch {
      // already closing
    }
    this.finish(reason)
  }

  get isClosed(): boolean {
    return this.done
  }

  private finish(reason: string): void {
    if (this.done) return
    this.done = true
    this.resolveClosed(reason)
    this.handlers.closed(this, reason)
  }

  private async openWs(url: string, timeoutMs: number): Promise<void> {
    wsModule ??= import('ws')
    const { WebSocket } = await wsModule
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', (err) => reject(this.connectError(url, err)))
      ws.once('unexpected-response', (_req, res) => reject(this.connectError(url, new Error(`HTTP ${res.statusCode}`))))
    })
    this.socket = ws
    this.pauser = ws
    ws.on('message', (data, isBinary) => {
      if (!this.done) this.handlers.message(this, isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString())
    })
    ws.on('ping', () => {
      if (!this.done) this.handlers.alive(this)
    })
    ws.on('error', () => {}) // a close always follows
    ws.on('close', (code, reason) => this.finish(`closed by server (code ${code}${reason.length ? `: ${reason.toString()}` : ''})`))
  }

  private async openNative(url: string, timeoutMs: number): Promise<void> {
    const ws = new globalThis.WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close()
        reject(this.connectError(url, new Error(`no answer within ${timeoutMs} ms`)))
      }, timeoutMs)
      ws.onopen = () => {
        clearTimeout(timer)
        resolve()
      }
      ws.onerror = () => {
        clearTimeout(timer)
        reject(this.connectError(url, new Error('WebSocket error')))
      }
    })
    this.socket = ws
    ws.onmessage = (ev: MessageEvent) => {
      if (!this.done) this.handlers.message(this, typeof ev.data === 'string' ? ev.data : String(ev.data))
    }
    ws.onclose = (ev: { code: number }) => this.finish(`closed by server (code ${ev.code})`)
  }

  private connectError(url: string, cause: unknown): FeedError {
    const why = cause instanceof Error ? cause.message : String(cause)
    return new FeedError('CONNECTION', this.exchange, `could not connect to ${url}: ${why}; the feed retries with backoff`, { cause })
  }
}
