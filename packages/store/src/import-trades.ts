import { access } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { isVenue, K2Error, parseVenue, toCanonicalSymbol, VENUES, validateSymbol } from '@k2/core'
import type { LakeTable } from './lake-table.js'
import { type CommitResult, coreOf } from './table-core.js'
import { checkImported } from './write/imported-values.js'
import { stageFromQuery } from './write/rows-in-duckdb.js'
import { sqlString } from './write/sql-literal.js'
import { stagedSource } from './write/staged-rows.js'

/**
 * Imports existing files of trades into silver.trades through the same commit path as writers
 * (dedup on exchange, symbol, id; one atomic commit per call). Rows go file → DuckDB → Parquet
 * without passing through JS.
 *
 * Accepted layouts (detected from the header / column names):
 * - K2's own silver.trades columns (`exchange, symbol, id, price, qty, side, ts, recv_ts`, times as
 *   epoch µs integers or timestamps) — CSV or Parquet;
 * - Tardis.dev `trades` CSV (`exchange, symbol, timestamp, local_timestamp, id, side, price, amount`,
 *   µs), as in `../shared/hist/binance-futures-um/…`.
 */
export interface ImportOptions {
  /**
   * The venue to record (one of `VENUES`) for files without one; a Tardis file's own exchange
   * column must agree with it: `binance-futures` trades are never recorded as `binance`.
   */
  exchange?: string
  /** Canonical symbol to record instead of the file's native one (e.g. "BTC-USDT"). */
  symbol?: string
}

/** The lake to import into (a `Lake`): only its silver.trades table is used. */
export interface TradesLake {
  table(name: 'silver.trades'): Promise<LakeTable<'silver.trades'>>
}

/**
 * SQL for the canonical symbol of each row of a Tardis file: its distinct (exchange, symbol) pairs
 * mapped by each venue's rules (`toCanonicalSymbol`: BitMEX `XBTUSD` → `BTC-USD`), as a CASE.
 */
async function tardisInstruments(lake: TradesLake, source: string, files: string, exchange: string | undefined) {
  const pairs = await coreOf(await lake.table('silver.trades')).duckdb.with(async (conn) =>
    (await conn.runAndReadAll(`SELECT DISTINCT exchange::VARCHAR, symbol::VARCHAR FROM ${source}`)).getRows(),
  )
  const cases: string[] = []
  for (const [v, n] of pairs) {
    const venue = String(v)
    const native = String(n)
    if (exchange !== undefined && venue !== exchange)
      throw new K2Error(
        'VALIDATION',
        `${files} holds ${venue} trades but the exchange to record is ${exchange}: a venue keeps its identity (its trade ids are not ${exchange}'s); drop the exchange option (nothing was written)`,
      )
    if (!isVenue(venue))
      throw new K2Error('VALIDATION', `${files} is from venue "${venue}", which K2 does not know: expected one of ${VENUES.join(', ')}`)
    const symbol = toCanonicalSymbol(venue, native)
    if (!symbol)
      throw new K2Error('VALIDATION', `cannot map ${venue}'s symbol "${native}" in ${files} to a canonical symbol: pass the symbol option`)
    cases.push(`WHEN exchange::VARCHAR = ${sqlString(venue)} AND symbol::VARCHAR = ${sqlString(native)} THEN ${sqlString(symbol)}`)
  }
  return cases.length ? `CASE ${cases.join(' ')} END` : 'symbol::VARCHAR'
}

function timeExpr(col: string): string {
  // Integers are epoch µs; anything else is cast as a timestamp (Parquet TIMESTAMP columns).
  return `CASE WHEN typeof(${col}) IN ('BIGINT', 'INTEGER', 'HUGEINT', 'UBIGINT', 'DOUBLE') THEN make_timestamp(${col}::BIGINT)::TIMESTAMPTZ ELSE ${col}::TIMESTAMPTZ END`
}

async function columnsOf(lake: TradesLake, source: string): Promise<string[]> {
  return coreOf(await lake.table('silver.trades')).duckdb.with(async (conn) => {
    const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)
    return r.getRows().map((row) => String(row[0]))
  })
}

/** Appends the trades in `paths` (CSV or Parquet) to silver.trades in one commit. */
export async function importTrades(lake: TradesLake, paths: readonly string[], opts: ImportOptions = {}): Promise<CommitResult> {
  if (paths.length === 0) throw new K2Error('VALIDATION', 'importTrades needs at least one file path')
  const files = paths.map((p) => resolve(p))
  for (const f of files) {
    await access(f).catch((err) => {
      throw new K2Error('NOT_FOUND', `cannot import ${f}: the file does not exist or is not readable`, { cause: err })
    })
  }
  const exts = new Set(files.map((f) => extname(f.endsWith('.gz') ? f.slice(0, -3) : f).toLowerCase()))
  if (exts.size !== 1 || !['.csv', '.parquet'].includes([...exts][0] as string)) {
    throw new K2Error('VALIDATION', `import files must all be .csv(.gz) or all .parquet, got ${[...exts].join(', ')}`)
  }
  const list = `[${files.map(sqlString).join(', ')}]`
  const source = exts.has('.csv') ? `read_csv(${list}, header = true, union_by_name = true)` : `read_parquet(${list}, union_by_name = true)`
  const cols = new Set(
    await columnsOf(lake, source).catch((err) => {
      throw new K2Error('VALIDATION', `cannot read ${files.join(', ')} as ${[...exts][0]}: ${(err as Error).message.split('\n')[0]}`, {
        cause: err,
      })
    }),
  )
  const tardis = cols.has('timestamp') && cols.has('local_timestamp') && cols.has('amount')
  const k2 = ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts'].every((c) => cols.has(c))
  if (!tardis && !k2) {
    throw new K2Error(
      'VALIDATION',
      `unrecognised trade columns [${[...cols].join(', ')}]: expected K2's (exchange, symbol, id, price, qty, side, ts, recv_ts) or Tardis' (exchange, symbol, timestamp, local_timestamp, id, side, price, amount)`,
    )
  }
  const venue = opts.exchange === undefined ? undefined : parseVenue(opts.exchange)
  const exchange = venue === undefined ? 'exchange::VARCHAR' : sqlString(venue)
  const symbol =
    opts.symbol !== undefined
      ? sqlString(validateSymbol(opts.symbol))
      : tardis
        ? await tardisInstruments(lake, source, files.join(', '), venue)
        : 'symbol::VARCHAR'
  const select = tardis
    ? `SELECT ${exchange} AS exchange, ${symbol} AS symbol, id::VARCHAR AS id, price::DOUBLE AS price, amount::DOUBLE AS qty,
         CASE lower(side::VARCHAR) WHEN 'buy' THEN 'buy' WHEN 'sell' THEN 'sell' ELSE 'unknown' END AS side,
         ${timeExpr('timestamp')} AS ts, ${timeExpr('local_timestamp')} AS recv_ts FROM ${source}`
    : `SELECT ${exchange} AS exchange, ${symbol} AS symbol, id::VARCHAR AS id, price::DOUBLE AS price,
         qty::DOUBLE AS qty, side::VARCHAR AS side, ${timeExpr('ts')} AS ts, ${timeExpr('recv_ts')} AS recv_ts FROM ${source}`
  const table = coreOf(await lake.table('silver.trades'))
  return table.duckdb.with(async (conn) => {
    let staged: Awaited<ReturnType<typeof stageFromQuery>>
    try {
      staged = await stageFromQuery(conn, table.spec, select)
    } catch (err) {
      throw new K2Error('VALIDATION', `cannot import ${files.join(', ')}: ${(err as Error).message.split('\n')[0]} (nothing was written)`, {
        cause: err,
      })
    }
    await checkImported(conn, table.spec, staged, files.join(', '))
    const nulls = await conn.runAndReadAll(
      `SELECT count(*) FROM ${stagedSource(staged, null)} WHERE ${table.spec.columns.map((c) => `"${c.name}" IS NULL`).join(' OR ')} OR NOT (price > 0 AND isfinite(price) AND qty > 0 AND isfinite(qty))`,
    )
    const bad = Number(nulls.getRows()[0]?.[0] ?? 0)
    if (bad > 0) {
      throw new K2Error(
        'VALIDATION',
        `cannot import ${files.join(', ')}: ${bad} rows have an empty column or a non-positive price/qty; fix or drop them (nothing was written)`,
      )
    }
    return table.commitStaged(conn, staged)
  })
}
