// Opens a lake it cannot write (run as a user without write permission) and prints one JSON line
// per operation: what it returned, or the error's name and code.
import { openLake } from '../../src/index.js'

const [lakeDir] = process.argv.slice(2)
const lake = await openLake(lakeDir as string)
const trade = {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  id: '1',
  price: 1,
  qty: 1,
  side: 'buy',
  ts: 1706659200000000,
  recv_ts: 1706659200000000,
}

async function report(op: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const value = await run()
    process.stdout.write(`${JSON.stringify({ op, ok: true, value })}\n`)
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string }
    process.stdout.write(`${JSON.stringify({ op, ok: false, name: e.name, code: e.code, message: e.message })}\n`)
  }
}

await report('book.scan', async () => (await (await lake.table('silver.book')).scan()).length)
await report('book.files', async () => (await (await lake.table('silver.book')).files()).files.length)
await report('book.history', async () => (await (await lake.table('silver.book')).history()).length)
await report('book.query', async () => (await lake.query('silver.book').rows()).length)
await report('trades.scan', async () => (await (await lake.table('silver.trades')).scan()).length)
await report('trades.sql', async () => Number((await lake.sql`select count(*) as n from ${lake.ref('silver.trades')}`.rows())[0]?.n))
const level = { exchange: 'binance', symbol: 'BTC-USDT', kind: 'snapshot', sequence: 1, checksum: null, side: 'bid', price: 1, qty: 1 }
await report(
  'book.append',
  async () => (await (await lake.table('silver.book')).append([{ ...level, ts: trade.ts, recv_ts: trade.ts }])).rows,
)
await report('trades.append', async () => (await (await lake.table('silver.trades')).append([{ ...trade, id: '999999' }])).rows)
await report('trades.writer', async () => {
  const w = (await lake.table('silver.trades')).writer({ flushMs: 0 })
  await w.append([{ ...trade, id: '999998' }])
  return w.close()
})
await lake.close()
