import type { BookDelta, BookSnapshot, Level } from '@k2/core'
import { bytes, type ChannelCodec, keysOf, nullable, numbers, OWN, sortRun, timeRange } from './channel-codec.js'
import { compareEvents } from './event-order.js'

/** One level row of silver.book (a book event is stored as one row per level). */
interface LevelRow {
  exchange: BookEvent['exchange']
  symbol: string
  ts: number
  recvTs: number
  delta: boolean
  sequence: number | null
  firstSequence: number | null
  checksum: number | null
  /** Set on a feed's own top-N snapshot taken at an interval's end. */
  interval: string | null
  bid: boolean
  price: number
  qty: number
}

type BookEvent = BookSnapshot | BookDelta

/**
 * silver.book → `BookSnapshot` / `BookDelta` events: the level rows of one instant are grouped by
 * (kind, sequence, first sequence, checksum, recvTs) into events, bids best (highest) first, asks
 * best (lowest) first, as the feeds emit them.
 */
export const bookCodec: ChannelCodec<LevelRow> = {
  table: 'silver.book',
  columns: [
    'epoch_us(ts)::DOUBLE',
    'epoch_us(recv_ts)::DOUBLE',
    "(kind = 'delta')::UTINYINT",
    'sequence::DOUBLE',
    'first_sequence::DOUBLE',
    'checksum::DOUBLE',
    "(side = 'bid')::UTINYINT",
    'price',
    'qty',
    'snapshot_interval',
  ].join(', '),
  orderBy: 'ts',
  filters: (plan, _unit, first) => timeRange('ts', plan.from, plan.to, first),
  decode(chunk, unit) {
    const n = chunk.rowCount
    const keys = keysOf(chunk, unit)
    const ts = numbers(chunk, OWN)
    const recv = numbers(chunk, OWN + 1)
    const delta = bytes(chunk, OWN + 2)
    const seq = nullable<number>(chunk, OWN + 3)
    const firstSeq = nullable<number>(chunk, OWN + 4)
    const checksum = nullable<number>(chunk, OWN + 5)
    const bid = bytes(chunk, OWN + 6)
    const price = numbers(chunk, OWN + 7)
    const qty = numbers(chunk, OWN + 8)
    const interval = nullable<string>(chunk, OWN + 9)
    const out = new Array<LevelRow>(n)
    for (let i = 0; i < n; i++) {
      out[i] = {
        exchange: keys.exchange(i),
        symbol: keys.symbol(i),
        ts: ts[i] as number,
        recvTs: recv[i] as number,
        delta: delta[i] === 1,
        sequence: seq.getItem(i),
        firstSequence: firstSeq.getItem(i),
        checksum: checksum.getItem(i),
        interval: interval.getItem(i),
        bid: bid[i] === 1,
        price: price[i] as number,
        qty: qty[i] as number,
      }
    }
    return out
  },
  tsOf: (r) => r.ts,
  settle(run, out) {
    const events = new Map<string, { event: BookEvent }>()
    for (const r of run) {
      const key = `${r.exchange}|${r.symbol}|${r.delta ? 1 : 0}|${r.sequence}|${r.firstSequence}|${r.checksum}|${r.recvTs}|${r.interval}`
      let e = events.get(key)
      if (!e) {
        const event = {
          type: r.delta ? 'book_delta' : 'book_snapshot',
          exchange: r.exchange,
          symbol: r.symbol,
          ts: r.ts,
          recvTs: r.recvTs,
          bids: [] as Level[],
          asks: [] as Level[],
          ...(r.sequence === null ? {} : { sequence: r.sequence }),
          ...(r.firstSequence === null ? {} : { firstSequence: r.firstSequence }),
          ...(r.checksum === null ? {} : { checksum: r.checksum }),
          ...(r.interval === null ? {} : { interval: r.interval }),
        } as BookEvent
        e = { event }
        events.set(key, e)
      }
      ;(r.bid ? e.event.bids : e.event.asks).push([r.price, r.qty])
    }
    const list = [...events.values()].map(({ event }) => {
      event.bids.sort((a, b) => b[0] - a[0] || a[1] - b[1])
      event.asks.sort((a, b) => a[0] - b[0] || a[1] - b[1])
      return event
    })
    for (const e of sortRun(list, compareEvents)) out.push(e)
  },
}
