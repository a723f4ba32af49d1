import {
  type BookSnapshot,
  type CanonicalSymbol,
  type Exchange,
  K2Error,
  type Level,
  parseExchange,
  type TimeInput,
  toMicros,
  validateSymbol,
} from '@k2/core'
import type { AsOfInput, SqlQuery, TableRef } from '@k2/query'

export interface BookAtOptions {
  /** The silver.book snapshot to read (default: the current one, pinned for the whole rebuild). */
  asOf?: AsOfInput
  /**
   * Kraken only: the subscribed depth, to cut the book to after every message as the live feed did
   * (Kraken never deletes the levels that leave its window). Default: the stored snapshot's level count.
   */
  depth?: number
}

/** What `bookAt` needs of a lake. */
export interface BookAtLake {
  sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery
  ref(table: 'silver.book', asOf?: AsOfInput): TableRef
}

// Which stored deltas continue a snapshot, per exchange (docs/books.md, "The lake"):
//  sequence: Binance. After snapshot S: S.sequence < u <= the next snapshot's (deltas buffered while a
//            REST snapshot was fetched were received before it, yet applied after it).
//  time:     Bitstamp. The same with the exchange's microtimestamp (no sequence); also any exchange's
//            snapshot stored without a sequence (Tardis incremental_book_L2 imports).
//  arrival:  Kraken, Coinbase. The stream's own snapshot: the deltas received after it.
const RULE: Record<Exchange, 'sequence' | 'time' | 'arrival'> = {
  binance: 'sequence',
  bitstamp: 'time',
  kraken: 'arrival',
  coinbase: 'arrival',
}

/**
 * The book of `symbol` on `exchange` as the live feed held it at `at` (receive time): the latest stored
 * snapshot received at or before `at`, plus the deltas that continued it and arrived by `at`, as one
 * DuckDB query over silver.book (one pinned table snapshot, every value a bound parameter). Undefined
 * when no snapshot was received by then. Between a desync and the next snapshot it is the book as last
 * known right. The result is a `BookSnapshot` (`ts`, `recvTs`, `sequence` of the last message applied).
 */
export async function bookAt(
  lake: BookAtLake,
  exchange: string,
  symbol: string,
  at: TimeInput,
  options: BookAtOptions = {},
): Promise<BookSnapshot | undefined> {
  const ex = parseExchange(exchange)
  const sym = validateSymbol(symbol)
  const atUs = toMicros(at)
  const depth = options.depth
  if (depth !== undefined && !(Number.isSafeInteger(depth) && depth >= 1))
    throw new K2Error('VALIDATION', `book depth must be a positive integer, got ${String(depth)}`)
  const rule = RULE[ex]
  const ref = lake.ref('silver.book', options.asOf)
  const query = lake.sql`
    WITH b AS (
      SELECT kind, side, price, qty, sequence, epoch_us(ts) AS ts, epoch_us(recv_ts) AS recv
      FROM ${ref} WHERE exchange = ${ex}::VARCHAR AND symbol = ${sym}::VARCHAR
        AND snapshot_interval IS NULL -- a feed's own top-N snapshots are not the exchange's book
    ), s AS (
      SELECT recv, ts, sequence FROM b WHERE kind = 'snapshot' AND recv <= ${atUs}::BIGINT ORDER BY recv DESC LIMIT 1
    ), s2 AS (
      SELECT b.recv, b.ts, b.sequence FROM b, s WHERE b.kind = 'snapshot' AND b.recv > s.recv ORDER BY b.recv LIMIT 1
    ), r AS (
      -- A snapshot without a sequence (imported Tardis books) is continued by exchange time.
      SELECT CASE WHEN ${rule}::VARCHAR = 'sequence' AND s.sequence IS NULL THEN 'time' ELSE ${rule}::VARCHAR END AS rule FROM s
    )
    SELECT (b.kind = 'snapshot')::TINYINT AS snap, (b.side = 'bid')::TINYINT AS bid, b.price, b.qty,
      coalesce(b.sequence, -1)::DOUBLE AS sequence, b.ts::DOUBLE AS ts, b.recv::DOUBLE AS recv
    FROM b, s, r
    WHERE (b.kind = 'snapshot' AND b.recv = s.recv)
      OR (b.kind = 'delta' AND b.recv <= ${atUs}::BIGINT AND CASE r.rule
        WHEN 'sequence' THEN b.sequence > s.sequence AND b.sequence <= coalesce((SELECT sequence FROM s2), 9223372036854775807)
        WHEN 'time' THEN b.ts > s.ts AND b.ts <= coalesce((SELECT ts FROM s2), 9223372036854775807)
        ELSE b.recv >= s.recv END)
    ORDER BY b.kind <> 'snapshot',
      CASE r.rule WHEN 'sequence' THEN b.sequence WHEN 'time' THEN b.ts ELSE b.recv END, b.recv, b.sequence, b.ts`
  const book = new RebuiltBook(ex === 'kraken', depth)
  for await (const batch of query.batches()) {
    // Column by column: Arrow's row proxies would cost more than the rebuild.
    const col = (name: string) => batch.getChild(name)?.toArray() as ArrayLike<number>
    const snap = col('snap')
    const bid = col('bid')
    const price = col('price')
    const qty = col('qty')
    const sequence = col('sequence')
    const ts = col('ts')
    const recv = col('recv')
    for (let i = 0; i < batch.numRows; i++)
      book.row(snap[i] === 1, bid[i] === 1, price[i] as number, qty[i] as number, sequence[i] as number, ts[i] as number, recv[i] as number)
  }
  return book.result(ex, sym)
}

/** Levels by price per side; rows of one message (same time, receive time and sequence) apply together. */
class RebuiltBook {
  private readonly bids = new Map<number, number>()
  private readonly asks = new Map<number, number>()
  private started = false
  private snap = false
  private window: number | undefined
  /** The last row's message: rows with the same kind, times and sequence are one message. */
  sequence = -1
  ts = Number.NaN
  recv = Number.NaN

  constructor(
    private readonly windowed: boolean,
    private readonly depth: number | undefined,
  ) {}

  /** One stored level; `sequence` is -1 where the exchange sends none. */
  row(snap: boolean, bid: boolean, price: number, qty: number, sequence: number, ts: number, recv: number): void {
    if (this.started && (snap !== this.snap || ts !== this.ts || recv !== this.recv || sequence !== this.sequence)) this.endMessage()
    this.started = true
    this.snap = snap
    this.sequence = sequence
    this.ts = ts
    this.recv = recv
    const side = bid ? this.bids : this.asks
    if (qty === 0) side.delete(price)
    else side.set(price, qty)
    // A Kraken snapshot holds the subscribed depth (when the book is that deep): the window to keep.
    if (snap && this.windowed && this.depth === undefined) this.window = Math.max(this.window ?? 0, this.bids.size, this.asks.size)
  }

  /** Kraken: levels that fell out of the window are cut after each message, as the live book did. */
  private endMessage(): void {
    const depth = this.depth ?? this.window
    if (!this.windowed || depth === undefined) return
    cut(this.bids, depth, (a, b) => b - a)
    cut(this.asks, depth, (a, b) => a - b)
  }

  result(exchange: Exchange, symbol: CanonicalSymbol): BookSnapshot | undefined {
    if (!this.started) return undefined
    this.endMessage()
    const side = (m: Map<number, number>, order: (a: number, b: number) => number): Level[] =>
      [...m.keys()].sort(order).map((p) => [p, m.get(p) as number])
    const out: BookSnapshot = {
      type: 'book_snapshot',
      exchange,
      symbol,
      ts: this.ts,
      recvTs: this.recv,
      bids: side(this.bids, (a, b) => b - a),
      asks: side(this.asks, (a, b) => a - b),
    }
    if (this.sequence >= 0) out.sequence = this.sequence
    return out
  }
}

function cut(side: Map<number, number>, depth: number, order: (a: number, b: number) => number): void {
  if (side.size <= depth) return
  for (const p of [...side.keys()].sort(order).slice(depth)) side.delete(p)
}
