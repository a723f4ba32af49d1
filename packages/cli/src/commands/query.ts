import { K2Error, type TableName, type Timeframe } from '@k2/core'
import type { Lake } from '@k2/store'
import { Command, Option } from 'commander'
import type { ResultSet, TimeFormat } from '../format/cells.js'
import { defaultFormat, formatArg, formatOfFile, type OutputFormat, timeFormatArg, writeResult } from '../format/output.js'
import { type ParquetColumn, parquetType } from '../format/parquet.js'
import type { CliIo } from '../io.js'
import { lakeOption, positiveInt, timeArg } from '../options.js'
import { examples } from './help.js'
import { requireTable, tableArg, withLake } from './open-lake.js'
import { type AggArg, aggArg, columnOf, orderArg, timeColumnOf, typedValue, type WhereArg, whereArg } from './query-builder-args.js'
import { buildTemplate, paramArg, type SqlParam } from './query-sql.js'

interface QueryOptions {
  lake: string
  sql?: string
  param?: SqlParam[]
  where?: WhereArg[]
  from?: number
  to?: number
  select?: string[]
  groupBy?: string[]
  bucket?: Timeframe
  agg?: AggArg[]
  orderBy?: { key: string; dir: 'asc' | 'desc' }[]
  limit?: number
  offset?: number
  asOf?: string
  format?: OutputFormat
  output?: string
  times: TimeFormat
  maxRows?: number
}

const list = (text: string, previous: string[] = []) => [
  ...previous,
  ...text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
]

/** `--as-of`: digits are a snapshot id (from `k2 snapshots`), anything else a time. */
export function asOfArg(text: string): { snapshot: string } | { at: string } {
  if (/^\d+$/.test(text)) return { snapshot: text }
  timeArg(text) // checks the form; the lake resolves it against the snapshot log
  return { at: text }
}

export function queryCommand(io: CliIo): Command {
  return new Command('query')
    .description('query a lake table with filter flags, or with SQL whose values are bound parameters')
    .argument('[table]', 'the table for builder flags: silver.trades, gold.ohlcv, bronze.coverage, …', tableArg)
    .addOption(lakeOption())
    .option('--where <column op value>', 'filter, repeatable: exchange=binance, price>=100, symbol=BTC-USDT,ETH-USDT (IN)', whereArg)
    .option('--from <time>', "rows at or after this time (the table's time column)", timeArg)
    .option('--to <time>', 'rows before this time (exclusive)', timeArg)
    .option('--select <columns>', 'columns to output, comma-separated', list)
    .option('--group-by <columns>', 'group keys for --agg, comma-separated', list)
    .option('--bucket <timeframe>', 'bucket rows by time (1m, 5m, 1h, 1d, …) as a "start" column; with --agg')
    .option('--agg <aggregates>', 'ohlcv, count, or fn(column) / alias=fn(column): count sum avg min max first last count_distinct', aggArg)
    .option('--order-by <column[:desc]>', 'order by a column or output, repeatable', orderArg)
    .option('--limit <n>', 'at most n rows', positiveInt)
    .option('--offset <n>', 'skip n rows', (t) => (t === '0' ? 0 : positiveInt(t)))
    .option('--sql <query>', 'SQL instead of builder flags: {silver.trades} names a table, {name} a --param')
    .option('--param <name[:type]=value>', 'a bound value for {name} in --sql (types: string number bigint boolean time)', paramArg)
    .option('--as-of <snapshot|time>', 'read the tables as of a snapshot id or a time (time travel)', asOfArg)
    .addOption(
      new Option('--format <format>', 'table, csv, tsv, json, jsonl or parquet (default: table on a terminal, csv when piped)').argParser(
        formatArg,
      ),
    )
    .option('-o, --output <file>', 'write the result to a file; its extension picks the format (.parquet, .csv, .tsv, .json, .jsonl)')
    .addOption(new Option('--times <iso|us>', 'times as ISO-8601 UTC or epoch µs').default('iso').argParser(timeFormatArg))
    .option('--max-rows <n>', 'fail (CAPACITY, exit 1) rather than return more rows than this (default 1000000)', positiveInt)
    .addHelpText(
      'after',
      examples([
        'k2 query silver.trades --where exchange=binance --where symbol=BTC-USDT --from 2026-11-24 --to 2026-11-25 --limit 10',
        'k2 query silver.trades --select ts,price,qty --order-by ts:desc --limit 5 --format json',
        'k2 query silver.trades --where symbol=BTC-USDT --bucket 1m --agg ohlcv --group-by exchange',
        'k2 query gold.ohlcv --where timeframe=1h --as-of 2026-11-24T12:00:00Z --format csv > hours.csv',
        'k2 query --sql "select symbol, count(*) as n from {silver.trades} where price > {p} group by 1" --param p=100',
        'k2 query --sql "select * from {silver.trades} where symbol = {s}" --param s:string=BTC-USDT --format parquet -o btc.parquet',
      ]),
    )
    .action(async (table: TableName | undefined, opts: QueryOptions) => {
      const format = opts.format ?? (opts.output ? formatOfFile(opts.output) : defaultFormat(io.stdoutIsTTY === true))
      await withLake(
        opts.lake,
        async (lake) => {
          const result = opts.sql !== undefined ? await runSql(lake, table, opts) : await runBuilder(lake, table, opts)
          await writeResult(io, result.set, { format, times: opts.times, output: opts.output, parquetColumns: result.parquet })
        },
        opts.maxRows ? { query: { maxRows: opts.maxRows } } : {},
      )
    })
}

interface Ran {
  set: ResultSet
  parquet: ParquetColumn[]
}

const BUILDER_ONLY = ['where', 'from', 'to', 'select', 'groupBy', 'bucket', 'agg', 'orderBy', 'limit', 'offset'] as const

async function runSql(lake: Lake, table: TableName | undefined, opts: QueryOptions): Promise<Ran> {
  const mixed = BUILDER_ONLY.filter((k) => opts[k] !== undefined)
  if (table !== undefined || mixed.length) {
    throw new K2Error(
      'VALIDATION',
      `--sql takes no table argument and no builder flags (${mixed.map((m) => `--${kebab(m)}`).join(', ') || table}): name tables as {silver.trades} inside the SQL`,
    )
  }
  const t = buildTemplate(lake, opts.sql as string, opts.param ?? [], opts.asOf)
  for (const name of new Set(t.tables)) await requireTable(lake, name)
  return fromExecute(await lake.sql(t.strings, ...t.values).execute())
}

async function runBuilder(lake: Lake, table: TableName | undefined, opts: QueryOptions): Promise<Ran> {
  if (table === undefined) throw new K2Error('VALIDATION', 'k2 query needs a table (e.g. k2 query silver.trades) or --sql "…"')
  if (opts.param) throw new K2Error('VALIDATION', '--param fills {name} placeholders of --sql; with a table, filter with --where')
  await requireTable(lake, table)
  // biome-ignore lint/suspicious/noExplicitAny: the builder's types follow literal table names; the CLI checks names at run time
  let q: any = lake.query(table)
  for (const w of opts.where ?? []) {
    const value =
      w.op === 'in' || w.op === 'not in'
        ? w.text.split(',').map((v) => typedValue(table, w.column, v))
        : typedValue(table, w.column, w.text)
    q = q.where(w.column, w.op, value)
  }
  const time = timeColumnOf(table)
  if (opts.from !== undefined) q = q.where(time, '>=', opts.from)
  if (opts.to !== undefined) q = q.where(time, '<', opts.to)
  if (opts.asOf) q = q.asOf(opts.asOf)
  if ((opts.bucket || opts.groupBy) && !opts.agg)
    throw new K2Error('VALIDATION', '--bucket and --group-by need --agg (e.g. --agg ohlcv, --agg count)')
  if (opts.bucket) q = q.bucket(opts.bucket, { as: 'start' })
  for (const c of opts.groupBy ?? []) columnOf(table, c)
  if (opts.groupBy?.length) q = q.groupBy(...opts.groupBy)
  for (const c of opts.select ?? []) columnOf(table, c)
  if (opts.select?.length) q = q.select(...opts.select)
  if (opts.agg) {
    const aggs = opts.agg
    q = q.aggregate((f: Record<string, (c?: string) => unknown>) =>
      Object.fromEntries(
        aggs.map((a) => [a.alias, a.column === null ? (f[a.fn] as () => unknown)() : (f[a.fn] as (c: string) => unknown)(a.column)]),
      ),
    )
  }
  const order = opts.orderBy ?? (opts.bucket ? [{ key: 'start', dir: 'asc' as const }] : [])
  for (const o of order) q = q.orderBy(o.key, o.dir)
  if (opts.limit !== undefined) q = q.limit(opts.limit)
  if (opts.offset !== undefined) q = q.offset(opts.offset)
  return fromExecute(await q.execute())
}

interface Executed {
  rows: readonly Record<string, unknown>[]
  table: { schema: { fields: readonly { name: string; type: unknown; metadata: Map<string, string> }[] } }
}

/** Columns, their order and which hold epoch µs, from the result's Arrow schema (`k2.unit`). */
function fromExecute(r: Executed): Ran {
  const fields = r.table.schema.fields
  const timeColumns = new Set(fields.filter((f) => f.metadata.get('k2.unit') === 'epoch_us').map((f) => f.name))
  return {
    set: { columns: fields.map((f) => f.name), timeColumns, rows: r.rows },
    parquet: fields.map((f) => ({ name: f.name, type: parquetType(String(f.type), timeColumns.has(f.name)) })),
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
