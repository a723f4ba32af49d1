import { type CanonicalSymbol, type Clock, FeedError, K2Error, type Trade } from '@k2/core'
import pRetry, { AbortError } from 'p-retry'
import { abortableSleep } from './abortable-sleep.js'
import type { ExchangeAdapter, HistoryApi } from './adapters/adapter.js'

export interface HistoryClientOptions {
  restUrl: string
  /** Least time between two requests (the exchanges' public limits are a few requests per second). */
  minIntervalMs: number
  /** Retries per request after the first failure (network errors, 429, 5xx). */
  retries: number
  /** First retry delay; doubles up to 30 s. */
  retryMinMs: number
  /** At most this many pages per gap. */
  maxPages: number
  clock: Clock
  signal: AbortSignal
}

/** Fetches a range of trade ids from an exchange's REST history: rate-limited, retried, paged. */
export class HistoryClient {
  private nextSlot = 0
  /** Requests made, for stats. */
  requests = 0

  constructor(
    private readonly adapter: ExchangeAdapter,
    private readonly api: HistoryApi,
    private readonly options: HistoryClientOptions,
  ) {}

  /** Trades with ids in `fromId..toId`, ascending; ids the history does not have are simply absent. */
  async fetchRange(symbol: CanonicalSymbol, fromId: number, toId: number, afterTs: number): Promise<Trade[]> {
    const found = new Map<number, Trade>()
    let cursor = fromId
    let since = afterTs
    for (let page = 0; page < this.options.maxPages && cursor <= toId; page++) {
      const url = this.api.pageUrl(this.options.restUrl, symbol, cursor, toId, since)
      const body = await this.get(url)
      const trades = this.api.parsePage(body, symbol, this.options.clock())
      if (trades.length === 0) break
      let maxId = -1
      let maxTs = since
      for (const t of trades) {
        const id = Number(t.id)
        if (id >= cursor && id <= toId) found.set(id, t)
        if (id > maxId) maxId = id
        if (t.ts > maxTs) maxTs = t.ts
      }
      if (maxId >= toId || this.api.onePage) break
      if (maxId >= cursor) cursor = maxId + 1
      else if (maxTs <= since) break // neither ids nor time advance: the history has nothing more
      since = maxTs
    }
    return [...found.values()].sort((a, b) => Number(a.id) - Number(b.id))
  }

  private async get(url: string): Promise<string> {
    const { signal } = this.options
    return pRetry(
      async () => {
        await this.waitForSlot()
        if (signal.aborted) throw new AbortError(new K2Error('CLOSED', 'the feed was closed while healing a gap'))
        this.requests++
        let res: Response
        try {
          res = await fetch(url, { signal })
        } catch (cause) {
          if (signal.aborted) throw new AbortError(new K2Error('CLOSED', 'the feed was closed while healing a gap'))
          throw new FeedError('CONNECTION', this.adapter.exchange, `history request failed: ${url}`, { cause })
        }
        const text = await res.text()
        if (res.status === 429 || res.status === 418) {
          throw new FeedError(
            'RATE_LIMIT',
            this.adapter.exchange,
            `history request rate-limited (HTTP ${res.status}); retrying with backoff`,
          )
        }
        if (res.status >= 500)
          throw new FeedError('CONNECTION', this.adapter.exchange, `history request failed with HTTP ${res.status}: ${url}`)
        if (!res.ok) {
          throw new AbortError(
            new FeedError('PROTOCOL', this.adapter.exchange, `history request refused with HTTP ${res.status}: ${url}`, { frame: text }),
          )
        }
        return text
      },
      { retries: this.options.retries, minTimeout: this.options.retryMinMs, maxTimeout: 30_000, factor: 2, randomize: true, signal },
    )
  }

  private async waitForSlot(): Promise<void> {
    const now = this.options.clock() / 1000
    const wait = this.nextSlot - now
    this.nextSlot = Math.max(now, this.nextSlot) + this.options.minIntervalMs
    await abortableSleep(wait, this.options.signal)
  }
}
