import type { AsOf, FeedEventMap, FeedEventName, FeedStatus, Gap, MarketEventSource, SnapshotFiles, TableName } from '@k2/core'
import { K2Error } from '@k2/core'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { bookCodec } from './book-codec.js'
import { candlesCodec } from './candles-codec.js'
import type { ChannelCodec } from './channel-codec.js'
import { ChunkQueue } from './chunk-queue.js'
import { coverageMarkers } from './coverage-markers.js'
import { KWayMerge, type PendingInput } from './kway-merge.js'
import { planUnits } from './plan-units.js'
import { quotesCodec } from './quotes-codec.js'
import type { ReplayEvent } from './replay-events.js'
import { parseReplayOptions, type ReplayOptions, type ReplayPlan } from './replay-options.js'
import { compareToPosition, positionOf, type ReplayPosition, sameKey } from './replay-position.js'
import { parseSnapshotToken, type ReplaySnapshots, snapshotToken } from './replay-snapshot.js'
import { tradesCodec } from './trades-codec.js'
import { readUnit } from './unit-reader.js'

/** What a replay needs from its lake. */
export interface ReplayLake {
  duckdb: LakeDuckDB
  files(table: TableName, asOf?: AsOf): Promise<SnapshotFiles>
  checkFiles(table: TableName, snapshotId: bigint | null, paths: readonly string[]): Promise<void>
}

const BATCH = 4096

/**
 * A replay of the lake: trades, quotes, book events, closed candles and disconnect markers of many
 * exchanges and symbols in one stream, in exchange-time order (`docs/replay.md` has the contract),
 * pinned to one snapshot per table when it starts, read file by file and chunk by chunk in constant
 * memory. It is a `MarketEventSource`, as a live feed is: `for await (const ev of replay)`, or
 * `replay.batches()` for arrays (faster: one await per batch). Listeners of `status` and `gap` hear
 * of the disconnect markers, as a feed's listeners do.
 *
 * ```ts
 * const replay = lake.replay({ from: '2026-11-01', to: '2026-11-08', symbols: ['BTC-USDT'], channels: ['trades', 'candles:1m'] })
 * for await (const ev of replay) strategy.on(ev)
 * replay.snapshot // 'silver.trades@…;gold.ohlcv@…': pass as { snapshot } to rerun the same events
 * ```
 */
export class Replay implements MarketEventSource<ReplayEvent> {
  readonly #lake: ReplayLake
  readonly #plan: ReplayPlan
  #snapshots: ReplaySnapshots | null = null
  #token: string | null = null
  #pinning: Promise<string> | null = null
  #merge: KWayMerge | null = null
  #started = false
  #closed = false
  #last: ReplayEvent | null = null
  #lastCount = 0
  readonly #listeners = new Map<FeedEventName, Set<(payload: never) => void>>()

  /** @internal use `lake.replay(opts)` */
  constructor(lake: ReplayLake, opts: ReplayOptions) {
    this.#lake = lake
    this.#plan = parseReplayOptions(opts)
  }

  /** The snapshot token this replay is pinned to (after `pin()` or the first event). */
  get snapshot(): string {
    if (this.#token === null)
      throw new K2Error('VALIDATION', 'the replay is not pinned yet: await replay.pin() or read its first event first')
    return this.#token
  }

  /** The snapshot id of each table read (null: the table had no snapshot). */
  get snapshots(): ReplaySnapshots {
    if (this.#snapshots === null) return {}
    return { ...this.#snapshots }
  }

  /** The position after the last event yielded (null before the first): `lake.replay({ ...opts, from: position })` resumes just after it. */
  get position(): ReplayPosition | null {
    return this.#last && this.#token !== null ? positionOf(this.#last, this.#lastCount, this.#token) : null
  }

  /** Pins the snapshot of every table the replay reads (the current ones, or those of `opts.snapshot`); returns the token. */
  pin(): Promise<string> {
    this.#pinning ??= this.#pin()
    return this.#pinning
  }

  async #pin(): Promise<string> {
    const plan = this.#plan
    const tables: TableName[] = []
    if (plan.trades) tables.push('silver.trades')
    if (plan.quotes) tables.push('silver.quotes')
    if (plan.book) tables.push('silver.book')
    if (plan.candleTimeframes) tables.push('gold.ohlcv')
    if (plan.markers) tables.push('bronze.coverage')
    const given = plan.snapshot === null ? null : parseSnapshotToken(plan.snapshot)
    const snaps: ReplaySnapshots = {}
    const files = new Map<TableName, SnapshotFiles>()
    for (const t of tables) {
      let snap: SnapshotFiles
      if (given) {
        if (!(t in given))
          throw new K2Error(
            'VALIDATION',
            `the snapshot token does not pin ${t}: rerun with the channels it was made with, or without \`snapshot\``,
          )
        const id = given[t] ?? null
        snap = id === null ? { table: t, snapshotId: null, files: [] } : await this.#lake.files(t, { snapshot: id })
      } else snap = await this.#lake.files(t)
      snaps[t] = snap.snapshotId
      files.set(t, snap)
    }
    this.#snapshots = snaps
    this.#token = snapshotToken(snaps)
    this.#merge = new KWayMerge(await this.#inputs(files))
    return this.#token
  }

  async #inputs(files: Map<TableName, SnapshotFiles>): Promise<PendingInput[]> {
    const plan = this.#plan
    const codecs: ChannelCodec[] = []
    if (plan.trades) codecs.push(tradesCodec as ChannelCodec)
    if (plan.quotes) codecs.push(quotesCodec as ChannelCodec)
    if (plan.book) codecs.push(bookCodec as ChannelCodec)
    if (plan.candleTimeframes) codecs.push(candlesCodec as ChannelCodec)
    const deps = {
      duckdb: this.#lake.duckdb,
      checkFile: (table: TableName, snapshotId: bigint | null, path: string) => this.#lake.checkFiles(table, snapshotId, [path]),
    }
    const inputs: PendingInput[] = []
    for (const codec of codecs) {
      const snap = files.get(codec.table) as SnapshotFiles
      for (const unit of await planUnits(this.#lake.duckdb, codec, snap, plan)) {
        inputs.push({
          lowerTs: unit.lowerTs,
          name: `${codec.table} ${unit.path}`,
          open: () => readUnit(deps, unit, plan),
        })
      }
    }
    const coverage = files.get('bronze.coverage')
    if (coverage) {
      const markers = await coverageMarkers(this.#lake.duckdb, coverage, plan, (p) =>
        this.#lake.checkFiles('bronze.coverage', coverage.snapshotId, [p]),
      )
      if (markers.length > 0) {
        inputs.push({
          lowerTs: (markers[0] as ReplayEvent).ts,
          name: 'bronze.coverage',
          open: () => {
            const q = new ChunkQueue<ReplayEvent[]>(1)
            void q.put(markers).then(() => q.end())
            return q
          },
        })
      }
    }
    return inputs
  }

  /**
   * The events in batches of up to `size` (in order; the position advances past a whole batch as
   * it is handed over). One iteration per replay: a second call throws.
   */
  async *batches(size = BATCH): AsyncGenerator<ReplayEvent[]> {
    for await (const batch of this.#merged(size)) {
      for (const e of batch) this.#track(e)
      yield batch
    }
  }

  /**
   * One event per `next()`. A plain iterator rather than an async generator: while a batch lasts,
   * `next()` hands back an already settled promise, without the generator's extra promise hops.
   */
  [Symbol.asyncIterator](): AsyncIterator<ReplayEvent> {
    const batches = this.#merged(BATCH)
    let buf: ReplayEvent[] = []
    let i = 0
    const refill = async (): Promise<IteratorResult<ReplayEvent>> => {
      const r = await batches.next()
      if (r.done) return { done: true, value: undefined }
      buf = r.value
      i = 0
      return step()
    }
    const step = (): IteratorResult<ReplayEvent> | Promise<IteratorResult<ReplayEvent>> => {
      if (i >= buf.length) return refill()
      const e = buf[i++] as ReplayEvent
      this.#track(e)
      return { done: false, value: e }
    }
    return {
      next: () => {
        const r = step()
        return r instanceof Promise ? r : Promise.resolve(r)
      },
      return: async () => {
        await batches.return(undefined)
        return { done: true, value: undefined }
      },
    }
  }

  async *#merged(size: number): AsyncGenerator<ReplayEvent[]> {
    if (this.#started) throw new K2Error('VALIDATION', 'a replay is read once: start another with lake.replay(opts)')
    this.#started = true
    await this.pin()
    const merge = this.#merge as KWayMerge
    const after = this.#plan.after
    let skipping = after !== null
    let equalSkipped = 0
    try {
      while (!this.#closed) {
        let batch = await merge.take(size)
        if (batch.length === 0) return
        if (skipping && after) {
          let k = 0
          for (; k < batch.length; k++) {
            const c = compareToPosition(batch[k] as ReplayEvent, after)
            if (c > 0 || (c === 0 && equalSkipped >= after.n)) break
            if (c === 0) {
              equalSkipped++
              this.#last = batch[k] as ReplayEvent
              this.#lastCount = equalSkipped
            }
          }
          if (k < batch.length) skipping = false
          batch = batch.slice(k)
          if (batch.length === 0) continue
        }
        this.#notify(batch)
        yield batch
      }
    } finally {
      this.#closeMerge()
    }
  }

  /** The position moves past `e`: a second event with the same key counts up. */
  #track(e: ReplayEvent): void {
    const last = this.#last
    this.#lastCount = last !== null && e.ts === last.ts && sameKey(e, last) ? this.#lastCount + 1 : 1
    this.#last = e
  }

  #notify(batch: ReplayEvent[]): void {
    const status = this.#listeners.get('status')
    const gap = this.#listeners.get('gap')
    if (!status?.size && !gap?.size) return
    for (const e of batch) {
      if (e.type !== 'disconnect') continue
      if (e.reason === 'disconnected') {
        const down: FeedStatus = { exchange: e.exchange, state: 'disconnected', ts: e.ts, connectionId: 0, reason: 'recorded disconnect' }
        const up: FeedStatus = { exchange: e.exchange, state: 'connected', ts: e.until, connectionId: 0 }
        for (const l of status ?? []) (l as (s: FeedStatus) => void)(down)
        for (const l of status ?? []) (l as (s: FeedStatus) => void)(up)
      } else {
        const g: Gap = {
          exchange: e.exchange,
          symbol: e.symbol as Gap['symbol'],
          fromId: e.fromId ?? '',
          toId: e.toId ?? '',
          detectedTs: e.ts,
          state: 'unhealed',
        }
        for (const l of gap ?? []) (l as (g: Gap) => void)(g)
      }
    }
  }

  on<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    let set = this.#listeners.get(event)
    if (!set) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as (payload: never) => void)
    return this
  }

  off<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): this {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void)
    return this
  }

  /** Stops reading: open files are released, iteration ends after the current batch. */
  async close(): Promise<void> {
    this.#closed = true
    this.#closeMerge()
  }

  #closeMerge(): void {
    this.#merge?.close()
  }
}
