import type { Side, Trade } from '@k2/core'
import { bytes, type ChannelCodec, keysOf, nullable, numbers, OWN, sortRun, timeRange } from './channel-codec.js'
import { compareEvents } from './event-order.js'

const SIDES: readonly Side[] = ['buy', 'sell', 'unknown']

/**
 * silver.trades → `Trade` events. Decimal ids that a double holds exactly come over as numbers
 * (a typed array, no string decoding per row) and are printed back; any other id as its string.
 */
export const tradesCodec: ChannelCodec<Trade> = {
  table: 'silver.trades',
  columns: [
    'epoch_us(ts)::DOUBLE',
    'epoch_us(recv_ts)::DOUBLE',
    'price',
    'qty',
    "(CASE side WHEN 'buy' THEN 0 WHEN 'sell' THEN 1 ELSE 2 END)::UTINYINT",
    'TRY_CAST(id AS DOUBLE) AS id_num',
    'CASE WHEN id_num < 9007199254740992 AND id_num::UBIGINT::VARCHAR = id THEN NULL ELSE id END',
  ].join(', '),
  orderBy: 'ts',
  filters: (plan, _unit, first) => timeRange('ts', plan.from, plan.to, first),
  decode(chunk, unit) {
    const n = chunk.rowCount
    const keys = keysOf(chunk, unit)
    const ts = numbers(chunk, OWN)
    const recv = numbers(chunk, OWN + 1)
    const price = numbers(chunk, OWN + 2)
    const qty = numbers(chunk, OWN + 3)
    const side = bytes(chunk, OWN + 4)
    const idNum = numbers(chunk, OWN + 5)
    const idText = nullable<string>(chunk, OWN + 6)
    const out = new Array<Trade>(n)
    for (let i = 0; i < n; i++) {
      out[i] = {
        type: 'trade',
        exchange: keys.exchange(i),
        symbol: keys.symbol(i) as Trade['symbol'],
        ts: ts[i] as number,
        recvTs: recv[i] as number,
        id: idText.getItem(i) ?? String(idNum[i]),
        price: price[i] as number,
        qty: qty[i] as number,
        side: SIDES[side[i] as number] as Side,
      }
    }
    return out
  },
  tsOf: (t) => t.ts,
  settle(run, out) {
    for (const t of sortRun(run, compareEvents)) out.push(t)
  },
}
