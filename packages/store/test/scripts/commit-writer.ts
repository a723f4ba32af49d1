// A writer process for the crash and concurrency tests: commits `commits` batches of `rows` trades
// to silver.trades, batch i holding ids base + i*rows …, and prints "ack <i>" once batch i is
// durable. Started with tsx; the test SIGKILLs it at random points and restarts it from `from`.
import { openLake } from '../../src/lake.js'

const [lakeDir, baseArg, fromArg, commitsArg, rowsArg] = process.argv.slice(2)
const base = Number(baseArg)
const rows = Number(rowsArg)
const lake = await openLake(lakeDir as string)
const table = await lake.table('silver.trades')
process.stdout.write('ready\n')
for (let i = Number(fromArg); i < Number(commitsArg); i++) {
  const batch = Array.from({ length: rows }, (_, k) => {
    const id = base + i * rows + k
    const ts = Date.UTC(2024, 0, 31) * 1000 + id
    return { exchange: 'binance', symbol: 'BTC-USDT', id: String(id), price: 100 + k, qty: 1, side: 'buy', ts, recv_ts: ts }
  })
  await table.append(batch)
  process.stdout.write(`ack ${i}\n`)
}
await lake.close()
