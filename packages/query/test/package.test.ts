import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'runs a sql template, a typed query and a query over in-memory rows on the native engine',
      load: { query: '@k2/query', duckdb: '@k2/query/duckdb' },
      run: `
        const layer = query.createQueryLayer({ files: async (table) => ({ table, snapshotId: null, files: [] }) }, { engine: duckdb.createDuckDBEngine() })
        const memory = query.createQueryLayer(
          query.memoryCatalog({ 'silver.trades': [{ exchange: 'kraken', symbol: 'BTC-USD', id: '7', price: 1.5, qty: 2, side: 'buy', ts: 1695628177708706, recv_ts: 1695628177708707 }] }),
          { engine: duckdb.createDuckDBEngine() },
        )
        try {
          const [row] = await layer.sql\`select 40 + \${2} as x, \${'BTC-USDT'} as symbol\`.rows()
          const none = await layer.query('silver.trades').where({ symbol: 'BTC-USDT' }).rows()
          const [held] = await memory.query('silver.trades').select('id', 'ts').rows()
          return [row.x, row.symbol, none.length, held.id, held.ts].join(' ')
        } finally {
          await layer.close()
          await memory.close()
        }`,
      returns: '42 BTC-USDT 0 7 1695628177708706',
    },
    './duckdb': {
      does: 'opens the native engine and streams a bound query',
      run: `
        const engine = await m.createDuckDBEngine()
        try {
          const conn = await engine.connect()
          try {
            const out = []
            for await (const b of conn.stream('select 40 + $1 as x', [2])) out.push(b.names[0] + '=' + b.columns[0][0] + ':' + b.kinds[0])
            return [engine.name, ...out].join(' ')
          } finally { await conn.close() }
        } finally { await engine.close() }`,
      returns: 'duckdb x=42:integer',
    },
  },
})
