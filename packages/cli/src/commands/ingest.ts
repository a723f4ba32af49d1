import { type CanonicalSymbol, type Exchange, K2Error, toIso } from '@k2/core'
import { type FeedOptions, type MergedFeed, openFeeds } from '@k2/feeds'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'
import { openLake, type PipeStats, pipe } from '@k2/store'
import { Command, Option } from 'commander'
import type { CliIo } from '../io.js'
import { lakeOption, positiveInt, positiveNumber } from '../options.js'
import { VERSION } from '../program.js'
import { CommitTracker } from '../telemetry/commit-tracker.js'
import { startTelemetry, type Telemetry } from '../telemetry/meter-provider.js'
import { type MetricsAddress, metricsAddressArg } from '../telemetry/metrics-address.js'
import { type MetricsServer, startMetricsServer } from '../telemetry/metrics-server.js'
import { readiness } from '../telemetry/readiness.js'
import { StatusLines } from '../telemetry/status-lines.js'
import { examples } from './help.js'
import { exchangesArg, resolveMarkets, type SymbolsArg, symbolsArg, urlOverrideArg } from './ingest-options.js'

interface IngestOptions {
  exchange?: Exchange[]
  symbols?: SymbolsArg[]
  lake: string
  live?: boolean
  sim?: boolean
  url?: Partial<Record<Exchange, string>>
  restUrl?: Partial<Record<Exchange, string>>
  metrics?: MetricsAddress
  flushMs: number
  duration?: number
  statusEvery: number
}

export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description('capture live trades into a lake until SIGINT/SIGTERM, then commit what was received and exit')
    .option('--exchange <list>', 'exchanges, comma-separated (default: those --symbols names, else all four)', exchangesArg)
    .option(
      '--symbols <list>',
      'symbols for every exchange (BTC-USD,ETH-USD) or for one (binance:BTC-USDT,ETH-USDT); repeatable (default: each exchange’s BTC market)',
      symbolsArg,
    )
    .addOption(lakeOption())
    .addOption(new Option('--live', 'connect to the real exchanges (the default)').conflicts('sim'))
    .addOption(new Option('--sim', 'capture from built-in simulated exchanges on 127.0.0.1 (offline)').conflicts(['url', 'restUrl']))
    .option(
      '--url <exchange=url>',
      'WebSocket URL for one exchange (a proxy, a simulator); repeatable',
      urlOverrideArg(/^wss?:\/\/\S+$/, 'binance=ws://127.0.0.1:9000/stream'),
    )
    .option(
      '--rest-url <exchange=url>',
      'REST base URL for one exchange’s trade history (gap healing); repeatable',
      urlOverrideArg(/^https?:\/\/\S+$/, 'binance=http://127.0.0.1:9000'),
    )
    .option(
      '--metrics <[host]:port>',
      'serve /metrics, /healthz and /readyz (host defaults to 127.0.0.1; port 0 picks one)',
      metricsAddressArg,
    )
    .option('--flush-ms <n>', 'commit buffered rows at least this often, in ms', positiveInt, 5000)
    .option('--duration <seconds>', 'stop after this long (default: run until SIGINT/SIGTERM)', positiveNumber)
    .option('--status-every <seconds>', 'seconds between status lines on stderr', positiveNumber, 10)
    .addHelpText(
      'after',
      `${examples([
        'k2 ingest --sim --duration 30',
        'k2 ingest --exchange binance,kraken --symbols binance:BTC-USDT,ETH-USDT --symbols kraken:BTC-USD --lake /var/lib/k2',
        'k2 ingest --symbols BTC-USD --exchange coinbase,bitstamp --metrics :9464',
        'k2 ingest --exchange binance --url binance=ws://127.0.0.1:9000/stream --rest-url binance=http://127.0.0.1:9000',
      ])}

Runs until SIGINT or SIGTERM (or --duration): then it stops reading, commits everything received,
prints a summary and exits 0. A second signal exits at once (130), losing what was not committed.
Status lines go to stderr every --status-every seconds; the summary goes to stdout.`,
    )
    .action(async (opts: IngestOptions) => {
      await ingest(io, opts)
    })
}

async function ingest(io: CliIo, opts: IngestOptions): Promise<void> {
  const markets = resolveMarkets(opts.exchange, opts.symbols)
  for (const e of Object.keys({ ...opts.url, ...opts.restUrl }) as Exchange[])
    if (!markets.has(e)) throw new K2Error('VALIDATION', `--url/--rest-url names ${e}, which is not captured: add it to --exchange`)
  const log = (line: string) => io.err(`${toIso(Date.now() * 1000).slice(0, 19)}Z ${line}`)
  const tracker = new CommitTracker()
  const cleanup: (() => Promise<unknown>)[] = []
  let feed: MergedFeed | undefined
  try {
    // The SDK first: instruments made before it is registered stay no-ops.
    let telemetry: Telemetry | undefined
    if (opts.metrics) {
      telemetry = startTelemetry({ name: 'k2-ingest', version: VERSION })
      cleanup.push(() => (telemetry as Telemetry).shutdown())
      const server: MetricsServer = await startMetricsServer(opts.metrics, telemetry.exporter, () =>
        feed ? readiness(feed.stats(), tracker.problems()) : { ready: false, reasons: ['starting'] },
      )
      cleanup.push(() => server.close())
      log(`metrics on ${server.url}/metrics (health: /healthz, readiness: /readyz)`)
    }
    const lake = await openLake(opts.lake)
    cleanup.push(() => lake.close())
    const sims = opts.sim ? await startSimulators(markets, cleanup) : undefined
    const feedOptions: FeedOptions[] = [...markets].map(([exchange, symbols]) => {
      const sim = sims?.get(exchange)
      const o: FeedOptions = { exchange, symbols, url: sim?.url ?? opts.url?.[exchange], restUrl: sim?.restUrl ?? opts.restUrl?.[exchange] }
      return sim ? { ...o, historyMinIntervalMs: 20, historyRetryMinMs: 50 } : o
    })
    feed = openFeeds(feedOptions)
    cleanup.push(() => (feed as MergedFeed).close())
    log(
      `ingest ${[...markets].map(([e, s]) => `${e} ${s.join(',')}`).join('; ')} → ${opts.lake} (${opts.sim ? 'simulated' : 'live'}${opts.url || opts.restUrl ? ', URL overrides' : ''})`,
    )
    watch(feed, log)

    const stop = new AbortController()
    // Not ready from the first moment of a stop: a supervisor sends no more work our way.
    stop.signal.addEventListener('abort', () => tracker.ended('shutting down'), { once: true })
    const onSignal = () => stop.abort(io.signal.reason)
    io.signal.addEventListener('abort', onSignal, { once: true })
    if (io.signal.aborted) onSignal()
    const timers: ReturnType<typeof setTimeout>[] = []
    if (opts.duration !== undefined)
      timers.push(setTimeout(() => stop.abort(new Error(`--duration ${opts.duration} s`)), opts.duration * 1000))
    if (sims) timers.push(setInterval(() => publishSome(sims), 100))
    const status = new StatusLines(tracker)
    const running = feed
    timers.push(setInterval(() => status.lines(running.stats()).forEach(log), opts.statusEvery * 1000))

    let stats: PipeStats
    try {
      stats = await pipe(feed, lake, {
        signal: stop.signal,
        flushMs: opts.flushMs,
        onCommit: (table, r) => tracker.committed(table, r),
        onError: (table, e) => {
          tracker.failed(table, e)
          log(`${table}: commit failed, will retry (${e.code}: ${e.message})`)
        },
      })
      tracker.ended('stopped')
    } catch (err) {
      tracker.ended(`stopped: ${K2Error.from(err).message}`)
      throw err
    } finally {
      for (const t of timers) clearTimeout(t)
      io.signal.removeEventListener('abort', onSignal)
    }
    const why = stop.signal.reason instanceof Error ? stop.signal.reason.message : 'stopped'
    for (const line of status.lines(feed.stats())) log(line)
    const received = feed
      .stats()
      .map((s) => `${s.exchange} ${s.trades}`)
      .join(', ')
    io.out(
      `stopped (${why}): ${tracker.rows('silver.trades')} trades committed to silver.trades in ${tracker.commits('silver.trades')} commits ` +
        `(received: ${received}; ${stats.duplicateTrades} duplicates dropped), ${stats.deadLetters} dead letters, ${stats.frames} raw frames, ${stats.gaps} gap events`,
    )
  } finally {
    // Reverse order: feeds, simulators, lake, then the metrics server and the SDK.
    for (const close of cleanup.reverse()) await close().catch((e) => log(`while closing: ${K2Error.from(e).message}`))
  }
}

/** Connection trouble, gaps and dead letters as they happen (the first few dead letters; then counts in the status lines). */
function watch(feed: MergedFeed, log: (line: string) => void): void {
  let deadLetters = 0
  feed.on('status', (s) => {
    if (s.state === 'disconnected') log(`${s.exchange}: disconnected (${s.reason ?? 'no reason given'}); reconnecting`)
    else if (s.state === 'subscribed') log(`${s.exchange}: subscribed to ${s.symbols?.join(',') ?? 'all symbols'}`)
  })
  feed.on('gap', (g) => {
    if (g.state !== 'open') log(`${g.exchange} ${g.symbol}: gap ${g.fromId}..${g.toId} ${g.state}${g.healedBy ? ` by ${g.healedBy}` : ''}`)
  })
  feed.on('dlq', (d) => {
    if (++deadLetters <= 10)
      log(
        `${d.exchange}: dead letter ${d.errorCode}: ${d.errorMessage.slice(0, 120)}${deadLetters === 10 ? ' (further ones are counted only)' : ''}`,
      )
  })
  feed.on('error', (e) => log(`${e.code}: ${e.message}`))
}

/**
 * `--sim`: one simulated exchange per captured exchange, trading from a fixed seed on the wall
 * clock (so exchange times are now and the lag metrics mean what they do live).
 */
async function startSimulators(
  markets: ReadonlyMap<Exchange, CanonicalSymbol[]>,
  cleanup: (() => Promise<unknown>)[],
): Promise<Map<Exchange, ExchangeSimulator>> {
  const sims = new Map<Exchange, ExchangeSimulator>()
  for (const [i, [exchange, symbols]] of [...markets].entries()) {
    const sim = await startSimulator({ exchange, symbols, seed: i + 1, historyLimit: 100_000, market: { now: () => Date.now() } })
    cleanup.push(() => sim.close())
    sims.set(exchange, sim)
  }
  return sims
}

/** A few trades on each simulated exchange: a quiet but steady market. */
function publishSome(sims: ReadonlyMap<Exchange, ExchangeSimulator>): void {
  for (const sim of sims.values()) sim.publish(1 + Math.floor(Math.random() * 4))
}
