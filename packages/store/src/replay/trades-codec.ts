import type { Side, Trade } from '@k2/core'
import { bytes, type ChannelCodec, nullable, numbers, sortRun, timeRange } from './channel-codec.js'

const SIDES: readonly Side[] = ['buy', 'sell', 'unknown']

const byId = (a: Trade, b: Trade) => (a.id.length !== b.id.length ? a.id.length - b.id.length : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

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
  filters: (plan, _unit, first) => timeRange('ts', plan.from, plan.to, first),
  decode(chunk, unit) {
    const n = chunk.rowCount
    const ts = numbers(chunk, 0)
    const recv = numbers(chunk, 1)
    const price = numbers(chunk, 2)
    const qty = numbers(chunk, 3)
    const side = bytes(chunk, 4)
    const idNum = numbers(chunk, 5)
    const idText = nullable<string>(chunk, 6)
    const out = new Array<Trade>(n)
    const { exchange } = unit
    const symbol = unit.symbol as Trade['symbol']
    for (let i = 0; i < n; i++) {
      out[i] = {
        type: 'trade',
        exchange,
        symbol,
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
  settle(run, _unit, out) {
    for (const t of sortRun(run, byId)) out.push(t)
  },
}
