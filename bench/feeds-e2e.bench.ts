import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { openFeed } from '@k2/feeds'
import { writeSection } from './harness.js'

// End to end: simulator (a child process) → loopback WebSocket → Feed → `for await` consumer.
// Kraken v2 protocol, three symbols, 20 trades per frame (Kraken batches trades in busy markets).
// The simulator publishes as fast as the socket drains, so the rate measured is what the receiving
// side sustains. Reference: a bare `ws` client that only JSON.parses the same stream.
const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD']
const FEED_SECONDS = 30
const REFERENCE_SECONDS = 10
const PER_FRAME = 20

const SIMULATOR = `
const { startSimulator } = require('@k2/feeds/testing')
const tick = () => new Promise((r) => setImmediate(r))
;(async () => {
  const sim = await startSimulator({ exchange: 'kraken', symbols: ${JSON.stringify(SYMBOLS)}, historyLimit: 20000 })
  process.send({ type: 'ready', url: sim.url, restUrl: sim.restUrl })
  process.on('message', async (m) => {
    if (m.type === 'run') {
      const end = Date.now() + m.ms
      let published = 0
      while (Date.now() < end) {
        if (sim.bufferedAmount < (8 << 20)) {
          for (const s of sim.tape.symbols) sim.publish(1000, { symbol: s, perFrame: ${PER_FRAME} })
          published += 1000 * sim.tape.symbols.length
        }
        await tick()
      }
      const last = {}
      for (const s of sim.tape.symbols) last[s] = String(sim.trades(s).at(-1).id)
      process.send({ type: 'done', published, last })
    } else if (m.type === 'exit') {
      await sim.close()
      process.exit(0)
    }
  })
})()
`

type FromSim = { type: 'ready'; url: string; restUrl: string } | { type: 'done'; published: number; last: Record<string, string> }

function startSim(): Promise<{ child: ChildProcess; url: string; restUrl: string; next: () => Promise<FromSim> }> {
  const child = spawn(process.execPath, ['-e', SIMULATOR], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const queue: FromSim[] = []
  const waiters: ((m: FromSim) => void)[] = []
  child.on('message', (m: FromSim) => {
    const w = waiters.shift()
    if (w) w(m)
    else queue.push(m)
  })
  const next = () => new Promise<FromSim>((r) => (queue.length ? r(queue.shift() as FromSim) : waiters.push(r)))
  return next().then((m) => {
    if (m.type !== 'ready') throw new Error('simulator did not start')
    return { child, url: m.url, restUrl: m.restUrl, next }
  })
}

interface WsModule {
  WebSocket: new (
    url: string,
    options: { perMessageDeflate: boolean },
  ) => {
    once(event: 'open', cb: () => void): void
    on(event: 'message', cb: (data: { toString(): string }) => void): void
    send(data: string): void
    close(): void
  }
}

interface Result {
  name: string
  seconds: number
  trades: number
  perSecond: number
  lost: number
  peakRssMiB: number
}

function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss()
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100)
  return {
    stop: () => {
      clearInterval(t)
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20)
    },
  }
}

async function reference(): Promise<Result> {
  const sim = await startSim()
  // `ws` is a dependency of @k2/feeds, not of the benchmarks: load it from there.
  const { WebSocket } = createRequire(fileURLToPath(import.meta.resolve('@k2/feeds')))('ws') as WsModule
  const ws = new WebSocket(sim.url, { perMessageDeflate: false })
  await new Promise<void>((r) => ws.once('open', () => r()))
  let trades = 0
  let acks = 0
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { channel?: string; type?: string; method?: string; data?: unknown[] }
    if (m.channel === 'trade' && m.type === 'update') trades += m.data?.length ?? 0
    else if (m.method === 'subscribe') acks++
  })
  ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol: SYMBOLS.map((s) => s.replace('-', '/')) }, req_id: 1 }))
  while (acks < SYMBOLS.length) await new Promise((r) => setTimeout(r, 10))
  const rss = rssSampler()
  const t0 = performance.now()
  sim.child.send({ type: 'run', ms: REFERENCE_SECONDS * 1000 })
  const done = await sim.next()
  const published = done.type === 'done' ? done.published : 0
  while (trades < published && performance.now() - t0 < (REFERENCE_SECONDS + 30) * 1000) await new Promise((r) => setTimeout(r, 5))
  const seconds = (performance.now() - t0) / 1000
  ws.close()
  sim.child.send({ type: 'exit' })
  return {
    name: 'ws + JSON.parse only (reference)',
    seconds,
    trades,
    perSecond: trades / seconds,
    lost: published - trades,
    peakRssMiB: rss.stop(),
  }
}

async function k2Feed(): Promise<Result> {
  const sim = await startSim()
  const feed = openFeed({ exchange: 'kraken', symbols: SYMBOLS, url: sim.url, restUrl: sim.restUrl })
  let gaps = 0
  feed.on('gap', () => gaps++)
  while (!SYMBOLS.every((s) => feed.stats().symbols[s]?.subscription === 'subscribed')) await new Promise((r) => setTimeout(r, 10))
  const rss = rssSampler()
  const t0 = performance.now()
  sim.child.send({ type: 'run', ms: FEED_SECONDS * 1000 })
  let published = Number.POSITIVE_INFINITY
  let last: Record<string, string> = {}
  let trades = 0
  void sim.next().then((m) => {
    if (m.type === 'done') {
      published = m.published
      last = m.last
      if (trades >= published) void feed.close() // already caught up: end the loop
    }
  })
  // The consumer checks order and completeness itself: ids must follow one another per symbol.
  const lastId = new Map<string, number>()
  let outOfOrder = 0
  let lastAt = t0
  for await (const ev of feed) {
    if (ev.type !== 'trade') continue
    const id = Number(ev.id)
    const prev = lastId.get(ev.symbol)
    if (prev !== undefined && id !== prev + 1) outOfOrder++
    lastId.set(ev.symbol, id)
    lastAt = performance.now()
    if (++trades >= published) break
  }
  const seconds = (lastAt - t0) / 1000
  const stats = feed.stats()
  await feed.close()
  sim.child.send({ type: 'exit' })
  const complete = SYMBOLS.every((s) => stats.symbols[s]?.lastId === last[s])
  if (!complete || outOfOrder > 0 || gaps > 0 || stats.dlq > 0 || stats.duplicates > 0)
    throw new Error(
      `loss or disorder: complete=${complete} outOfOrder=${outOfOrder} gaps=${gaps} dlq=${stats.dlq} duplicates=${stats.duplicates}`,
    )
  return { name: 'K2 openFeed → for await', seconds, trades, perSecond: trades / seconds, lost: published - trades, peakRssMiB: rss.stop() }
}

export default async function (): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0
  const ref = await reference()
  const k2 = await k2Feed()
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  const text = [
    '### feeds: end to end, simulator → loopback WebSocket → feed → consumer',
    '',
    `Kraken v2 protocol, ${SYMBOLS.length} symbols, ${PER_FRAME} trades per frame; the simulator runs in a child process and publishes as fast as the socket drains (${FEED_SECONDS} s for the feed, ${REFERENCE_SECONDS} s for the reference). Lost = published − received; the feed run also checks ids contiguous per symbol, no gaps, no duplicates, no dead letters. Peak RSS is the consumer process's. Target: ≥ 300,000 trades/s sustained for 30 s with zero loss.`,
    '',
    '| subject | seconds | trades | trades/s | ratio | lost | peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[ref, k2].map(
      (r) =>
        `| ${r.name} | ${r.seconds.toFixed(1)} | ${fmt(r.trades)} | ${fmt(r.perSecond)} | ${(r.perSecond / ref.perSecond).toFixed(2)}× | ${r.lost} | ${r.peakRssMiB} |`,
    ),
    '',
    `Load average (1 min) before and after: ${loadBefore.toFixed(1)}, ${(loadavg()[0] ?? 0).toFixed(1)}, on ${cpus().length} cores shared with other work. Both subjects read from one producer: where the producer is the limit, the ratio nears 1.`,
  ].join('\n')
  console.log(`\n${text}\n`)
  writeSection('feeds-e2e', text)
}
