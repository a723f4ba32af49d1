import { DuckDBInstance } from '@duckdb/node-api'
import { writeFileSync } from 'node:fs'
const lines = []
for (let i = 0; i < 1e6; i++) lines.push(`${i+1},${(42000 + (i % 1000) / 100).toFixed(2)},0.00100,42.00000000,${1704067200000 + i},True,True`)
writeFileSync('/tmp/k2imp/big.csv', lines.join('\n') + '\n')
const db = await DuckDBInstance.create(':memory:', { threads: '2' })
const c = await db.connect()
const T = async (label, sql) => { const t = performance.now(); const u = process.cpuUsage(); await c.run(sql); console.log(label, ((performance.now() - t)/1000).toFixed(2), 'cpu', (process.cpuUsage(u).user/1e6).toFixed(2)) }
const cols = `{'id':'BIGINT','price':'DOUBLE','qty':'DOUBLE','quote_qty':'DOUBLE','time':'BIGINT','is_buyer_maker':'BOOLEAN','is_best_match':'BOOLEAN'}`
await T('plain', `CREATE TEMP TABLE a AS SELECT * FROM read_csv('/tmp/k2imp/big.csv', header=false, auto_detect=false, delim=',', quote='"', escape='"', columns=${cols})`)
await T('rejects', `CREATE TEMP TABLE b AS SELECT * FROM read_csv('/tmp/k2imp/big.csv', header=false, auto_detect=false, delim=',', quote='"', escape='"', columns=${cols}, store_rejects=true, rejects_table='r1', rejects_scan='r2')`)
await T('scan', `SELECT count(*) FROM b WHERE price < 0`)
await T('ctas-copy', `CREATE TEMP TABLE c AS SELECT 'binance' AS exchange, 'BTC-USDT' AS symbol, id::VARCHAR AS id, price, qty, CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, make_timestamp(time*1000)::TIMESTAMPTZ AS ts, make_timestamp(time*1000)::TIMESTAMPTZ AS recv_ts FROM b`)
await T('lag', `SELECT count(*) FILTER (WHERE ts < p) FROM (SELECT ts, lag(ts) OVER (ORDER BY rowid) p FROM c)`)
await T('lag-noorder', `SELECT count(*) FILTER (WHERE ts < p) FROM (SELECT ts, lag(ts) OVER () p FROM c)`)
await T('copy', `COPY (SELECT * FROM c) TO '/tmp/k2imp/o.parquet' (FORMAT parquet, COMPRESSION zstd)`)
await T('copy-sorted', `COPY (SELECT * FROM c ORDER BY symbol, ts) TO '/tmp/k2imp/o2.parquet' (FORMAT parquet, COMPRESSION zstd)`)
