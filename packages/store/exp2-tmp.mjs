import { DuckDBInstance } from '@duckdb/node-api'
const db = await DuckDBInstance.create(':memory:', { threads: '1' })
const c = await db.connect()
const T = async (label, sql) => { const t = performance.now(); const u = process.cpuUsage(); const r = await c.runAndReadAll(sql); console.log(label, ((performance.now() - t)/1000).toFixed(2), 'cpu', (process.cpuUsage(u).user/1e6).toFixed(2)); return r }
const cols = `{'id':'BIGINT','price':'DOUBLE','qty':'DOUBLE','quote_qty':'DOUBLE','time':'BIGINT','is_buyer_maker':'BOOLEAN','is_best_match':'BOOLEAN'}`
const csv = `read_csv('/tmp/k2imp/big.csv', header=false, auto_detect=false, delim=',', quote='"', escape='"', columns=${cols}, store_rejects=true, rejects_table='r1', rejects_scan='r2')`
const ms = (c) => `make_timestamp(CASE WHEN ${c} < 100000000000000 THEN ${c} * 1000 ELSE ${c} END)::TIMESTAMPTZ`
const bt = (c) => `(${c} IS NULL OR epoch_us(${c}) < 1230768000000000 OR epoch_us(${c}) >= 4102444800000000)`
const pos = (c) => `NOT coalesce(${c} > 0 AND isfinite(${c}), false)`
const reason = `CASE WHEN id IS NULL OR id < 0 THEN 'a' WHEN ${pos('price')} THEN 'b' WHEN ${pos('qty')} THEN 'c' WHEN is_buyer_maker IS NULL THEN 'd' WHEN ${bt(ms('time'))} THEN 'e' ELSE NULL END`
await T('parse', `CREATE TEMP TABLE a AS SELECT * FROM ${csv}`)
await T('parse+reason', `CREATE TEMP TABLE b AS SELECT *, ${reason} AS __why FROM ${csv}`)
await T('reason only from table', `CREATE TEMP TABLE b2 AS SELECT ${reason} AS __why FROM a`)
await T('map from table', `CREATE TEMP TABLE b3 AS SELECT 'binance' AS exchange, 'BTC-USDT' AS symbol, id::VARCHAR AS id, price, qty, CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, ${ms('time')} AS ts, ${ms('time')} AS recv_ts FROM a`)
await T('map no varchar id', `CREATE TEMP TABLE b4 AS SELECT 'binance' AS exchange, 'BTC-USDT' AS symbol, id, price, qty, CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, ${ms('time')} AS ts, ${ms('time')} AS recv_ts FROM a`)
await T('map plain ts', `CREATE TEMP TABLE b5 AS SELECT 'binance' AS exchange, 'BTC-USDT' AS symbol, id, price, qty, CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, make_timestamp(time*1000) AS ts FROM a`)
await T('to_timestamp', `CREATE TEMP TABLE b6 AS SELECT epoch_ms(time) AS ts FROM a`)
await T('copy b3', `COPY (SELECT * FROM b3) TO '/tmp/k2imp/o.parquet' (FORMAT parquet, COMPRESSION zstd)`)
await T('copy b3 snappy', `COPY (SELECT * FROM b3) TO '/tmp/k2imp/o.parquet' (FORMAT parquet)`)
