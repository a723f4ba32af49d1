import type { FileCatalog } from '@k2/core'
import { K2Error, QueryError, type TableName, type TimeInput } from '@k2/core'
import type { RecordBatch, Table } from 'apache-arrow'
import { arrowSchema, toRecordBatch, toRows, toTable } from './arrow-result.js'
import type { CompiledQuery, Source } from './compiled-query.js'
import type { EngineBatch, QueryEngine } from './engine.js'
import type { FileRead } from './file-errors.js'
import { checkDataFilePath } from './file-paths.js'
import { attachLineage, fingerprintSync, type Lineage, type LineageTable } from './lineage.js'
import { type MemoryTable, memoryTableOf } from './memory-catalog.js'
import { ConnectionPool, checkPoolOptions, type Lease, type PoolOptions, type PoolStats } from './pool.js'
import { filePruner, pruneReasons } from './prune.js'
import { compileSelect } from './query-compiler.js'
import type { Explain, ExplainFile, ExplainTable, QueryContext, QueryResult } from './query-context.js'
import { displayArrow, displayExplain, displayLineage, displayRows } from './result-display.js'
import { runLeased } from './run-query.js'
import { checkTable, columnSpecs } from './schema.js'
import { type AsOfInput, SelectQueryBuilder } from './select-query-builder.js'
import type { SelectQueryNode } from './select-query-node.js'
import type { RawSqlNode, TableRef, TimeParam } from './sql-node.js'
import { type RawQueryContext, SqlQuery } from './sql-query.js'
import { compileRaw, rawSqlNode, tableRef, timeParam } from './sql-template.js'

export interface QueryLayerOptions {
  /**
   * The SQL engine, or a promise of one: `createDuckDBEngine()` from `@k2/query/duckdb` on Node and
   * Deno, `createDuckDBWasmEngine({ db })` in browsers. The layer owns it: `close()` closes it.
   */
  engine: QueryEngine | Promise<QueryEngine>
  pool?: PoolOptions
  /** A query running longer is interrupted with `K2Error('QUERY_TIMEOUT')` (default 30 000 ms). */
  timeoutMs?: number
  /** Most rows `rows()`/`arrow()`/`execute()` return; more is `K2Error('CAPACITY')` (default 1 000 000). Use `batches()` for more. */
  maxRows?: number
  /** Largest LIMIT/OFFSET a builder accepts (default 100 000 000). */
  maxLimit?: number
}

/** The typed query layer over a lake's {@link FileCatalog}. `lake.query(…)` and `lake.sql` delegate to it. */
export interface QueryLayer {
  /** A typed query on one table (see {@link SelectQueryBuilder}). */
  query<T extends TableName>(table: T): SelectQueryBuilder<T>
  /**
   * A raw query; every interpolation is bound as a parameter, and `ref()` is the only way to splice a table.
   *
   * @example
   * ```ts
   * const r = await layer.sql`select symbol, avg(price) as p from ${layer.ref('silver.trades')} where ts > ${layer.time(t0)} group by 1`
   * // select symbol, avg(price) as p from (SELECT "exchange", … FROM read_parquet($1::VARCHAR[], hive_partitioning = false))
   * //   where ts > make_timestamp($2::BIGINT)::TIMESTAMPTZ group by 1
   * ```
   */
  sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery
  /** A table at a snapshot (default: the current one), for `sql` templates: `read_parquet([...that snapshot's files...])`. */
  ref(table: TableName, asOf?: AsOfInput): TableRef
  /** A time bound as TIMESTAMPTZ in a `sql` template (a Date is bound so by itself). */
  time(input: TimeInput): TimeParam
  stats(): PoolStats
  close(): Promise<void>
}

/** A plan as the layer runs it: what `explain()` shows, each table's lineage, and its time outputs. */
type Planned = Explain & {
  lineage: LineageTable[]
  /** The data files the query reads, per table: what a failure is checked against. */
  reads: FileRead[]
  /** Output columns holding epoch µs that come back as integers (time buckets): typed as times in results. */
  times: readonly string[]
}

interface Resolved {
  source: Source
  lineage: LineageTable
  explain: ExplainTable
  read: FileRead
}

/**
 * Creates the query layer over `catalog`.
 *
 * @example
 * ```ts
 * import { createDuckDBEngine } from '@k2/query/duckdb'
 * const layer = createQueryLayer(lake, { engine: createDuckDBEngine(), timeoutMs: 10_000, pool: { size: 2, maxQueue: 64 } })
 * const trades = await layer.query('silver.trades').where({ symbol: 'BTC-USDT' }).limit(10).rows()
 * await layer.close()
 * ```
 */
export function createQueryLayer(catalog: FileCatalog, options: QueryLayerOptions): QueryLayer {
  const given = (options as Partial<QueryLayerOptions> | undefined)?.engine
  if (given === undefined || given === null) {
    throw new K2Error(
      'VALIDATION',
      "createQueryLayer needs { engine }: createDuckDBEngine() from '@k2/query/duckdb' on Node or Deno, createDuckDBWasmEngine({ db }) in a browser",
    )
  }
  const { timeoutMs = 30_000, maxRows = 1_000_000, maxLimit = 100_000_000 } = options
  for (const [name, v] of Object.entries({ timeoutMs, maxRows, maxLimit })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new K2Error('VALIDATION', `${name} must be a positive integer, got ${v}`)
  }
  checkPoolOptions(options.pool ?? {})
  const enginePromise = Promise.resolve(given)
  enginePromise.catch(() => {}) // a failed engine is reported by the first query, not as an unhandled rejection
  let pool: ConnectionPool | undefined
  let closed = false
  /** Interrupts for the queries running now: close() stops them. */
  const running = new Set<() => void>()
  const poolPromise = async () => {
    if (closed) throw new K2Error('CLOSED', 'the query layer is closed: create a new one')
    const engine = await enginePromise
    if (closed) throw new K2Error('CLOSED', 'the query layer was closed while this query started')
    pool ??= new ConnectionPool(engine, options.pool)
    return pool
  }

  // In-memory tables are loaded into the engine once, by the first query that reads them.
  const loads = new Map<MemoryTable, Promise<string>>()
  function loaded(memory: MemoryTable): Promise<string> {
    let load = loads.get(memory)
    if (!load) {
      load = (async () => {
        const lease = await (await poolPromise()).acquire()
        try {
          const specs = columnSpecs(memory.table)
          await lease.conn.load(
            memory.name,
            specs.map((c, k) => ({ name: c.name, type: c.type, values: memory.columns[k] ?? [] })),
          )
          return memory.name
        } catch (err) {
          lease.suspect()
          throw K2Error.isInstance(err)
            ? err
            : new K2Error('QUERY', `could not load the in-memory ${memory.table} into the engine: ${(err as Error).message}`, {
                cause: err,
              })
        } finally {
          lease.release()
        }
      })()
      load.catch(() => loads.delete(memory)) // a failed load is tried again by the next query
      loads.set(memory, load)
    }
    return load
  }

  /** The snapshot's files, pruned; reasons for skipped files are only spelled out for `explain`. */
  async function resolve(
    table: TableName,
    asOf: SelectQueryNode['asOf'],
    filters: SelectQueryNode['filters'],
    explain: boolean,
  ): Promise<Resolved> {
    const none: FileRead = { table, snapshotId: null, files: [] }
    if (asOf === 'none')
      return {
        source: { kind: 'empty' },
        lineage: { table, snapshotId: null },
        explain: { table, snapshotId: null, files: [] },
        read: none,
      }
    const memory = memoryTableOf(catalog, table)
    if (memory) {
      if (asOf)
        throw new K2Error('VALIDATION', `${table} is held in memory and has no snapshots: drop asOf(), or query a lake for time travel`)
      const source: Source = memory.rows > 0 ? { kind: 'relation', name: await loaded(memory) } : { kind: 'empty' }
      return { source, lineage: { table, snapshotId: null }, explain: { table, snapshotId: null, files: [] }, read: none }
    }
    const snap = await catalog.files(table, asOf ?? undefined)
    const snapshotId = snap.snapshotId === null ? null : String(snap.snapshotId)
    const mayMatch = filePruner(table, filters)
    const chosen: string[] = []
    // Per-file explain entries are only built for `explain()`: a point query skips ~all files.
    const files: ExplainFile[] = []
    for (const f of snap.files) {
      const keep = mayMatch(f)
      // Only the files a query reads reach read_parquet: an unsafe path elsewhere in the table
      // does not make every query of it fail.
      if (keep) chosen.push(checkDataFilePath(f.path))
      if (explain)
        files.push({ path: f.path, recordCount: f.recordCount, chosen: keep, reasons: keep ? [] : pruneReasons(table, f, filters) })
    }
    // A catalog that can check its files (a K2 lake: sizes and checksums) does so before they are read.
    if (!explain && chosen.length > 0) await catalog.checkFiles?.(table, snap.snapshotId, chosen)
    const source: Source = chosen.length > 0 ? { kind: 'files', files: chosen } : { kind: 'empty' }
    return { source, lineage: { table, snapshotId }, explain: { table, snapshotId, files }, read: { table, snapshotId, files: chosen } }
  }

  async function planSelect(node: SelectQueryNode, explain = false): Promise<Planned> {
    const nodes = node.join ? [node, node.join.right] : [node]
    const resolved = await Promise.all(nodes.map((n) => resolve(n.table, n.asOf, n.filters, explain)))
    const compiled = compileSelect(node, (n) => resolved[nodes.indexOf(n)]!.source)
    const times = node.selections.filter((s) => s.kind === 'bucket').map((s) => s.alias)
    return {
      ...compiled,
      tables: resolved.map((r) => r.explain),
      lineage: resolved.map((r) => r.lineage),
      reads: resolved.map((r) => r.read),
      times,
    }
  }

  async function planRaw(node: RawSqlNode, explain = false): Promise<Planned> {
    const refs = node.parts.filter((p): p is TableRef => p.kind === 'ref')
    const resolved = await Promise.all(refs.map((r) => resolve(r.table, r.asOf, [], explain)))
    const compiled = compileRaw(node, (ref) => resolved[refs.indexOf(ref)]!.source)
    return {
      ...compiled,
      tables: resolved.map((r) => r.explain),
      lineage: resolved.map((r) => r.lineage),
      reads: resolved.map((r) => r.read),
      times: [],
    }
  }

  function lineageOf(plan: CompiledQuery & { lineage: LineageTable[] }): Lineage {
    return Object.freeze(displayLineage({ tables: Object.freeze(plan.lineage), fingerprint: fingerprintSync(plan.sql, plan.params) }))
  }

  /** Streams a planned query on a pooled connection, interrupting it at the timeout. */
  async function* run(plan: CompiledQuery & { times: readonly string[]; reads: FileRead[] }): AsyncGenerator<EngineBatch> {
    for await (const b of runOnEngine(plan)) yield plan.times.length === 0 ? b : asTimes(b, plan.times)
  }

  async function* runOnEngine(plan: CompiledQuery & { reads: FileRead[] }): AsyncGenerator<EngineBatch> {
    const lease: Lease = await (await poolPromise()).acquire()
    yield* runLeased(lease, plan, { timeoutMs, running })
  }

  async function execute<R>(plan: Planned): Promise<QueryResult<R>> {
    const batches: EngineBatch[] = []
    let count = 0
    for await (const b of run(plan)) {
      count += b.rowCount
      if (count > maxRows) {
        throw new QueryError(
          'CAPACITY',
          `result has more than ${maxRows} rows: add where/limit, stream it with batches(), or raise maxRows`,
          plan,
        )
      }
      batches.push(b)
    }
    const lineage = lineageOf(plan)
    // Built on first use: rows() callers never pay for the Arrow table, nor arrow() callers for rows.
    let rows: R[] | undefined
    let table: Table | undefined
    return {
      lineage,
      get rows() {
        if (!rows) {
          const first = batches[0]
          rows = displayRows(attachLineage(toRows<R>(batches), lineage), first?.names ?? [], first?.kinds ?? [], lineage)
        }
        return rows
      },
      get table() {
        if (!table) {
          const first = batches[0]
          const schema = arrowSchema(first?.names ?? [], first?.kinds ?? [], new Map([['k2.lineage', JSON.stringify(lineage)]]))
          table = displayArrow(attachLineage(toTable(batches, schema), lineage), lineage)
        }
        return table
      },
    }
  }

  async function* stream(plan: Planned): AsyncGenerator<RecordBatch> {
    const meta = new Map([['k2.lineage', JSON.stringify(lineageOf(plan))]])
    for await (const b of run(plan)) yield toRecordBatch(b, arrowSchema(b.names, b.kinds, meta))
  }

  const ctx: QueryContext & RawQueryContext = {
    maxLimit,
    plan: async (node, explain) => withPlanDisplay(stripLineage(await planSelect(node, explain)), explain),
    execute: async (node) => execute(await planSelect(node)),
    batches: (node) => ({
      [Symbol.asyncIterator]: async function* () {
        yield* stream(await planSelect(node))
      },
    }),
    planRaw: async (node, explain) => withPlanDisplay(stripLineage(await planRaw(node, explain)), explain),
    executeRaw: async (node) => execute(await planRaw(node)),
    batchesRaw: (node) => ({
      [Symbol.asyncIterator]: async function* () {
        yield* stream(await planRaw(node))
      },
    }),
  }

  return {
    query: <T extends TableName>(table: T) => SelectQueryBuilder.create(ctx, checkTable(table) as T),
    sql: (strings, ...values) => new SqlQuery(ctx, rawSqlNode(strings, values)),
    ref: (table, asOf) => {
      const node = asOf === undefined ? null : SelectQueryBuilder.create(ctx, checkTable(table)).asOf(asOf).toNode().asOf
      return tableRef(table, node)
    },
    time: (input) => timeParam(input),
    stats: () => pool?.stats() ?? { size: options.pool?.size ?? 2, open: 0, busy: 0, queued: 0, rejected: 0, replaced: 0 },
    async close() {
      closed = true
      for (const stop of running) stop() // running queries fail with CLOSED rather than hold close() up
      const engine = await enginePromise.catch(() => undefined)
      await pool?.close()
      await engine?.close()
    },
  }
}

/** `explain()` results show themselves in notebooks; `toSQL()` plans are taken apart at once and need not. */
function withPlanDisplay(plan: Explain, explain: boolean): Explain {
  return explain ? displayExplain(plan) : plan
}

/** `batch` with the columns named in `times` typed as times (their values are epoch µs already). */
function asTimes(batch: EngineBatch, times: readonly string[]): EngineBatch {
  return { ...batch, kinds: batch.kinds.map((k, i) => (times.includes(batch.names[i] as string) ? 'timestamp' : k)) }
}

function stripLineage({ lineage: _, times: __, reads: ___, ...plan }: Planned): Explain {
  return plan
}
