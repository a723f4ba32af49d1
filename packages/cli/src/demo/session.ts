import { type Exchange, K2Error } from '@k2/core'
import { type FeedStats, openFeeds } from '@k2/feeds'
import type { TapeTrade } from '@k2/feeds/testing'
import { type Lake, type PipeStats, pipe } from '@k2/store'
import type { DemoMarket } from './market.js'
import { FAULTS, LAST_FAULT_TICK, startVenues } from './venues.js'

/** What one trading session did: the exchanges' ground truth, the feeds' counters and what they reported. */
export interface Session {
  /** Every trade each exchange printed, by `exchange symbol`. */
  printed: Map<string, { exchange: Exchange; symbol: string; trades: readonly TapeTrade[] }>
  stats: FeedStats[]
  pipe: PipeStats
  /** What the feeds reported about the trouble: one line per event, by exchange. */
  events: Map<Exchange, string[]>
  /** Connections each exchange's feed replaced: after a drop, and when the server asked it to move. */
  reconnects: Map<Exchange, number>
  /** Wall-clock ms the exchanges traded. */
  tradedMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** The exchanges print a burst of trades every tick. */
export const TICK_MS = 25
export const TRADES_PER_TICK = 25

/** Ticks in a run of `seconds`: at least enough for every fault to happen. */
export const ticksOf = (seconds: number) => Math.max(LAST_FAULT_TICK + 1, Math.round((seconds * 1000) / TICK_MS))

/**
 * Four simulated exchanges on 127.0.0.1 trade in `market` for its ticks, each with its fault (see
 * FAULTS), through `openFeeds` and `pipe` into the lake; ends when the feeds have delivered every
 * trade and the pipe has committed them.
 */
export async function trade(lake: Lake, market: DemoMarket, signal: AbortSignal): Promise<Session> {
  const venues = await startVenues(market)
  const feed = openFeeds(venues.map((v) => v.feed))
  const events = new Map<Exchange, string[]>(venues.map((v) => [v.exchange, []]))
  const note = (exchange: Exchange, line: string) => events.get(exchange)?.push(line)
  feed.on('gap', (g) => {
    if (g.state !== 'open')
      note(g.exchange, `gap in ${g.symbol} ids ${g.fromId}..${g.toId} ${g.state}${g.healedBy ? ` from ${g.healedBy}` : ''}`)
  })
  feed.on('dlq', (d) => note(d.exchange, `dead letter: ${d.errorCode} ${d.errorMessage.slice(0, 60)}`))
  const replaced = new Map<Exchange, number>()
  feed.on('status', (s) => {
    if (s.state !== 'disconnected') return
    replaced.set(s.exchange, (replaced.get(s.exchange) ?? 0) + 1)
    note(s.exchange, `connection ${s.connectionId} ended: ${s.reason ?? 'no reason given'}`)
  })
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  const piping = pipe(feed, lake, { signal: stop.signal, flushMs: 500 })
  let tradedMs = 0
  let piped: PipeStats
  try {
    await waitFor(
      () => venues.every((v) => v.sim.subscribers() > 0),
      10_000,
      'the feeds did not subscribe to the simulated exchanges',
      signal,
    )
    const started = Date.now()
    for (let tick = 0; tick < market.ticks && !signal.aborted; tick++) {
      market.tick(tick)
      for (const v of venues) v.sim.publish(market.tradesPerTick)
      for (const f of FAULTS) {
        const sim = venues.find((v) => v.exchange === f.exchange)?.sim
        if (f.tick === tick && sim) f.make(sim)
      }
      await sleep(started + (tick + 1) * TICK_MS - Date.now()) // on the tick's schedule, however long publishing took
    }
    tradedMs = Date.now() - started
    const printed = () => venues.reduce((n, v) => n + v.symbols.reduce((m, s) => m + v.sim.trades(s).length, 0), 0)
    const delivered = () => feed.stats().reduce((n, s) => n + s.trades, 0)
    await waitFor(() => delivered() >= printed(), 30_000, 'the feeds did not deliver every trade', signal)
  } finally {
    // Stopping the pipe closes the feeds, after it committed everything they delivered.
    stop.abort()
    signal.removeEventListener('abort', onAbort)
    piped = await piping.finally(() => Promise.all(venues.map((v) => v.sim.close())))
  }
  const stats = feed.stats()
  const printed = new Map<string, { exchange: Exchange; symbol: string; trades: readonly TapeTrade[] }>()
  for (const v of venues)
    for (const s of v.symbols) printed.set(`${v.exchange} ${s}`, { exchange: v.exchange, symbol: s, trades: v.sim.trades(s) })
  return { printed, stats, pipe: piped, events, reconnects: replaced, tradedMs }
}

async function waitFor(done: () => boolean, timeoutMs: number, what: string, signal: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!done() && !signal.aborted) {
    if (Date.now() > until) throw new K2Error('CONNECTION', `${what} within ${timeoutMs} ms`)
    await sleep(20)
  }
}
