import type { Quote } from '@k2/core'
import { type ChannelCodec, keysOf, numbers, OWN, sortRun, timeRange } from './channel-codec.js'
import { compareEvents } from './event-order.js'

/** silver.quotes → `Quote` events (top of book). */
export const quotesCodec: ChannelCodec<Quote> = {
  table: 'silver.quotes',
  columns: 'epoch_us(ts)::DOUBLE, epoch_us(recv_ts)::DOUBLE, bid_price, bid_qty, ask_price, ask_qty',
  orderBy: 'ts',
  filters: (plan, _unit, first) => timeRange('ts', plan.from, plan.to, first),
  decode(chunk, unit) {
    const n = chunk.rowCount
    const keys = keysOf(chunk, unit)
    const [ts, recv, bp, bq, ap, aq] = [0, 1, 2, 3, 4, 5].map((i) => numbers(chunk, OWN + i)) as Float64Array[]
    const out = new Array<Quote>(n)
    for (let i = 0; i < n; i++) {
      out[i] = {
        type: 'quote',
        exchange: keys.exchange(i),
        symbol: keys.symbol(i) as Quote['symbol'],
        ts: ts?.[i] as number,
        recvTs: recv?.[i] as number,
        bidPrice: bp?.[i] as number,
        bidQty: bq?.[i] as number,
        askPrice: ap?.[i] as number,
        askQty: aq?.[i] as number,
      }
    }
    return out
  },
  tsOf: (q) => q.ts,
  settle(run, out) {
    for (const q of sortRun(run, compareEvents)) out.push(q)
  },
}
