import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'writes trades to a lake and reads them back, exact to the µs',
      run: `
        const lake = await m.openLake(tmp + '/lake')
        try {
          const trades = await lake.table('silver.trades')
          const commit = await trades.append([1, 2, 3].map((i) => ({
            type: 'trade', exchange: 'binance', symbol: 'BTC-USDT', id: String(i), price: 100 + i / 4, qty: 0.5,
            side: i === 2 ? 'sell' : 'buy', ts: 1695628177708706 + i, recvTs: 1695628177800000,
          })))
          const rows = await lake.query('silver.trades').orderBy('id').rows()
          const scanned = await trades.scan()
          return [commit.rows, typeof commit.snapshotId, rows.map((r) => [r.id, r.price, r.side, r.ts].join(':')).join(' '), scanned.length].join(' ')
        } finally {
          await lake.close()
        }`,
      returns: '3 bigint 1:100.25:buy:1695628177708707 2:100.5:sell:1695628177708708 3:100.75:buy:1695628177708709 3',
    },
  },
})
