import type { AsOfInput as CoreAsOfInput } from '@k2/core'
import { K2Error, parseTimeframe, showValue, type TableName, type Tables, type Timeframe } from '@k2/core'
import type { RecordBatch, Table } from 'apache-arrow'
import { type AggregateExpr, type AggregateFunctions, aggregateFunctions } from './aggregate-builder.js'
import { buildAsofJoin } from './asof-join-builder.js'
import { checkAlias, parseAsOf } from './builder-args.js'
import type { CompareOp } from './filter-node.js'
import { buildLatestOn } from './latest-on-builder.js'
import type { Lineage } from './lineage.js'
import type { Explain, QueryContext, QueryResult } from './query-context.js'
import { type ColumnName, columnSpec, type OrderedColumn, type TimeColumn, timeColumnOf } from './schema.js'
import { cloneWith, createSelectQueryNode, type SelectQueryNode } from './select-query-node.js'
import { aggregateSelection, bucketSelection, columnSelection, type SelectionNode } from './selection-node.js'
import type { ValueInput } from './value.js'
import { parseWhere, parseWhereObject, type WhereInput } from './where-parser.js'

declare const ALL_COLUMNS: unique symbol
/** Marks a builder that has selected nothing yet, i.e. returns every column. */
export type AllColumns = typeof ALL_COLUMNS

/** No columns yet. */
export type Empty = Record<never, never>
type Simplify<A> = { [K in keyof A]: A[K] }
type Base<O> = [O] extends [AllColumns] ? Empty : O
/** The row type of a query on `T` with selections `O` and joined columns `J`. */
export type ResultRow<T extends TableName, O, J> = Simplify<([O] extends [AllColumns] ? Tables[T] : O) & J>

/**
 * What `asOf()` accepts: `{ snapshot: id }` (a bigint or a decimal string), `{ at: time }` (a Date,
 * an ISO-8601 string or epoch µs), a bigint id, a Date, an ISO string, or a result's lineage. A plain
 * number is refused (`VALIDATION`): it could be an id or a time, and an id above 2^53 is already rounded.
 */
export type AsOfInput = CoreAsOfInput | Lineage

/** Options of an as-of join; `select` maps output aliases to columns of the right table. */
export interface AsofJoinOptions<T extends TableName, R extends TableName, S extends Record<string, ColumnName<R>>> {
  /** Columns that must be equal on both sides, e.g. `['exchange', 'symbol']`. */
  using: readonly (ColumnName<T> & ColumnName<R>)[]
  /** Left and right time columns (default: each table's time column); matches right time <= left time. */
  on?: readonly [TimeColumn<T>, TimeColumn<R>]
  select: S
  /** A match older than this counts as none (QuestDB's `TOLERANCE`): a duration such as `'5s'`, `'250ms'`, or µs. */
  tolerance?: string | number
}

/** Options of `latestOn`. */
export interface LatestOnOptions<T extends TableName> {
  /** The key columns: one row per distinct key. */
  partitionBy: readonly ColumnName<T>[]
  /** The latest at or before this time (default: the latest of all); a Date, an ISO string or epoch µs. */
  at?: ValueInput<T, TimeColumn<T>>
  /** The time column (default: the table's). */
  on?: TimeColumn<T>
}

/**
 * A typed, immutable query over one lake table. Every method returns a new builder; nothing runs
 * until `rows()`, `arrow()`, `execute()` or `batches()`. Column names, operators and value types are
 * checked by TypeScript from `Tables` and again at run time (`K2Error('VALIDATION')`).
 *
 * @example
 * ```ts
 * const rows = await layer.query('silver.trades')
 *   .where({ exchange: 'binance', symbol: ['BTC-USDT', 'ETH-USDT'] })
 *   .between('ts', '2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z')
 *   .select('ts', 'price', 'qty', 'side')
 *   .orderBy('ts')
 *   .limit(1000)
 *   .rows()
 * // SELECT "t"."ts" AS "ts", "t"."price" AS "price", "t"."qty" AS "qty", "t"."side" AS "side"
 * // FROM read_parquet($1::VARCHAR[], hive_partitioning = false) AS "t"
 * // WHERE "t"."exchange" = $2::VARCHAR AND "t"."symbol" IN ($3::VARCHAR, $4::VARCHAR)
 * //   AND "t"."ts" >= make_timestamp($5::BIGINT)::TIMESTAMPTZ AND "t"."ts" <= make_timestamp($6::BIGINT)::TIMESTAMPTZ
 * // ORDER BY "ts" ASC LIMIT $7::BIGINT
 * ```
 */
export class SelectQueryBuilder<T extends TableName, O = AllColumns, J = Empty> {
  readonly #ctx: QueryContext
  readonly #node: SelectQueryNode

  constructor(ctx: QueryContext, node: SelectQueryNode) {
    this.#ctx = ctx
    this.#node = node
  }

  /** Starts a query on `table` (use `layer.query(table)`). */
  static create<T extends TableName>(ctx: QueryContext, table: T): SelectQueryBuilder<T> {
    return new SelectQueryBuilder<T>(ctx, createSelectQueryNode(table))
  }

  /** The immutable node this builder stands for. */
  toNode(): SelectQueryNode {
    return this.#node
  }

  #with<O2 = O, J2 = J>(patch: Partial<SelectQueryNode>): SelectQueryBuilder<T, O2, J2> {
    return new SelectQueryBuilder<T, O2, J2>(this.#ctx, cloneWith(this.#node, patch))
  }

  /**
   * Filters rows; conditions are ANDed. Object form: a value is `=`, an array is `IN`, `null` is
   * `IS NULL`, `{ gte, lt, ne, in, notIn, isNull }` are operators. Three-argument form: `where('price', '>', 100)`.
   */
  where(filter: WhereInput<T>): SelectQueryBuilder<T, O, J>
  where<C extends ColumnName<T>>(column: C, op: CompareOp, value: ValueInput<T, C>): SelectQueryBuilder<T, O, J>
  where<C extends ColumnName<T>>(column: C, op: 'in' | 'not in', values: readonly ValueInput<T, C>[]): SelectQueryBuilder<T, O, J>
  where<C extends ColumnName<T>>(column: C, op: 'is null' | 'is not null'): SelectQueryBuilder<T, O, J>
  where(...args: unknown[]): SelectQueryBuilder<T, O, J> {
    const t = this.#node.table
    const added = args.length === 1 ? parseWhereObject(t, args[0]) : [parseWhere(t, args[0], args[1], args[2])]
    return this.#with({ filters: [...this.#node.filters, ...added] })
  }

  /** `from <= column <= to` (inclusive, like SQL BETWEEN); times take a Date, an ISO string or epoch µs. */
  between<C extends OrderedColumn<T>>(column: C, from: ValueInput<T, C>, to: ValueInput<T, C>): SelectQueryBuilder<T, O, J> {
    const t = this.#node.table
    return this.#with({ filters: [...this.#node.filters, parseWhere(t, column, '>=', from), parseWhere(t, column, '<=', to)] })
  }

  /** Output these columns (in addition to earlier selections). */
  select<C extends ColumnName<T>>(...columns: C[]): SelectQueryBuilder<T, Simplify<Base<O> & Pick<Tables[T], C>>, J> {
    const added = columns.map((c) => columnSelection(columnSpec(this.#node.table, c).name))
    return this.#with({ selections: this.#addSelections(added) })
  }

  /**
   * Output aggregates, by alias: `.aggregate((f) => ({ trades: f.count(), volume: f.sum('qty'), open: f.first('price') }))`.
   * The other outputs (columns, buckets) become the GROUP BY keys.
   */
  aggregate<A extends Record<string, AggregateExpr<unknown>>>(
    build: (f: AggregateFunctions<T>) => A,
  ): SelectQueryBuilder<T, Simplify<Base<O> & { [K in keyof A]: A[K] extends AggregateExpr<infer R> ? R : never }>, J> {
    if (typeof build !== 'function') throw new K2Error('VALIDATION', 'aggregate() takes a function: (f) => ({ alias: f.sum(column), … })')
    const exprs = build(aggregateFunctions(this.#node.table as T))
    if (typeof exprs !== 'object' || exprs === null)
      throw new K2Error('VALIDATION', 'aggregate() must return an object of aggregates by alias')
    const added = Reflect.ownKeys(exprs).map((alias) => {
      const e = (exprs as Record<string | symbol, AggregateExpr<unknown>>)[alias]
      if (typeof e !== 'object' || e === null || typeof e.fn !== 'string') {
        throw new K2Error('VALIDATION', `aggregate ${showValue(String(alias))} must be made by f.count/sum/avg/min/max/first/last`)
      }
      // Rebuild through the checked functions so a hand-made object cannot smuggle a column or function in.
      const f = aggregateFunctions(this.#node.table) as unknown as Record<string, (c?: unknown, b?: unknown) => AggregateExpr<unknown>>
      const make = f[e.fn === 'count_distinct' ? 'countDistinct' : e.fn]
      if (typeof make !== 'function' || !Object.hasOwn(f, e.fn === 'count_distinct' ? 'countDistinct' : e.fn)) {
        throw new K2Error('VALIDATION', `unknown aggregate function ${showValue(e.fn)}`)
      }
      const checked = e.fn === 'count' && e.column === null ? make() : make(e.column, e.by ?? undefined)
      return aggregateSelection(checked.fn, checked.column, checked.by, checkAlias(alias))
    })
    return this.#with({ selections: this.#addSelections(added) })
  }

  /**
   * Outputs the start (epoch µs, UTC, epoch-aligned as core's `bucketStart`) of the `timeframe`
   * bucket holding each row's time, as `as` (default `bucket`); with aggregates it is a group key.
   */
  bucket<A extends string = 'bucket'>(
    timeframe: Timeframe,
    options: { column?: TimeColumn<T>; as?: A } = {},
  ): SelectQueryBuilder<T, Simplify<Base<O> & { [K in A]: number }>, J> {
    // core's parseTimeframe stringifies the bad value with JSON.stringify, which throws on a bigint.
    if (typeof timeframe !== 'string')
      throw new K2Error('VALIDATION', `bucket() takes a timeframe such as "1m", "1h", "1d", got ${showValue(timeframe)}`)
    const { micros } = parseTimeframe(timeframe)
    const column = options.column ?? timeColumnOf(this.#node.table)
    const spec = columnSpec(this.#node.table, column)
    if (spec.type !== 'timestamptz') throw new K2Error('VALIDATION', `bucket() needs a timestamptz column; ${spec.name} is ${spec.type}`)
    const selection = bucketSelection(spec.name, micros, checkAlias(options.as ?? 'bucket'))
    return this.#with({ selections: this.#addSelections([selection]) })
  }

  /** Groups by these columns (they are output too); aggregates then apply per group. */
  groupBy<C extends ColumnName<T>>(...columns: C[]): SelectQueryBuilder<T, Simplify<Base<O> & Pick<Tables[T], C>>, J> {
    const have = new Set(this.#node.selections.map((s) => s.alias))
    const added = columns.map((c) => columnSpec(this.#node.table, c).name).filter((c) => !have.has(c))
    return this.#with({ selections: this.#addSelections([...new Set(added)].map((c) => columnSelection(c))) })
  }

  /** Orders by an output (column or alias) or a table column. */
  orderBy(key: ColumnName<T> | (keyof ResultRow<T, O, J> & string), direction: 'asc' | 'desc' = 'asc'): SelectQueryBuilder<T, O, J> {
    if (direction !== 'asc' && direction !== 'desc')
      throw new K2Error('VALIDATION', `orderBy direction must be 'asc' or 'desc', got ${showValue(direction)}`)
    const aliases = [...this.#node.selections.map((s) => s.alias), ...(this.#node.join?.columns.map((c) => c.alias) ?? [])]
    if (!aliases.includes(key as string)) columnSpec(this.#node.table, key)
    return this.#with({ orderBy: [...this.#node.orderBy, Object.freeze({ key: key as string, direction })] })
  }

  /** At most `n` rows; `n` is an integer in [0, maxLimit], bound as a parameter. */
  limit(n: number): SelectQueryBuilder<T, O, J> {
    return this.#with({ limit: this.#checkCount('limit', n) })
  }

  /** Skips `n` rows; `n` is an integer in [0, maxLimit], bound as a parameter. */
  offset(n: number): SelectQueryBuilder<T, O, J> {
    return this.#with({ offset: this.#checkCount('offset', n) })
  }

  /**
   * Time travel: read the snapshot with this id, the one current at this time, or the one a lineage recorded.
   *
   * ```ts
   * q.asOf({ snapshot: 6962069681001976462n }) // or asOf(6962069681001976462n), or { snapshot: '6962069681001976462' }
   * q.asOf({ at: '2024-03-02T00:00:00Z' })     // or a Date, or { at: epochMicros }
   * ```
   */
  asOf(input: AsOfInput): SelectQueryBuilder<T, O, J> {
    return this.#with({ asOf: parseAsOf(this.#node.table, input) })
  }

  /**
   * As-of join: each row gets the columns `select` of the latest row of `right` with equal `using`
   * columns and a time at or before its own (DuckDB `ASOF LEFT JOIN`); null where there is none.
   * `right` may carry `where` and `asOf`. Call it after `select`/`aggregate`-free queries.
   *
   * @example
   * ```ts
   * layer.query('silver.trades').select('ts', 'price')
   *   .asofJoin(layer.query('silver.book').where({ side: 'bid' }), { using: ['exchange', 'symbol'], select: { bid: 'price' } })
   * // … FROM … AS "t" ASOF LEFT JOIN (SELECT "r"."exchange", "r"."symbol", "r"."ts", "r"."price" FROM read_parquet($2…) AS "r"
   * //   WHERE "r"."side" = $3::VARCHAR) AS "j" ON "t"."exchange" = "j"."exchange" AND … AND "t"."ts" >= "j"."ts"
   * ```
   *
   * With `tolerance: '5s'`, a match more than 5 s older than the row counts as none (its columns
   * are null), as QuestDB's `ASOF JOIN … TOLERANCE 5s`.
   */
  asofJoin<R extends TableName, S extends Record<string, ColumnName<R>>>(
    right: SelectQueryBuilder<R, AllColumns, Empty>,
    options: AsofJoinOptions<T, R, S>,
  ): SelectQueryBuilder<T, O, Simplify<J & { [A in keyof S]: Tables[R][S[A]] | null }>> {
    if (!(right instanceof SelectQueryBuilder))
      throw new K2Error('VALIDATION', 'asofJoin() takes a query of the layer: layer.query(table)…')
    return this.#with({ join: buildAsofJoin(this.#node, right.toNode(), options) })
  }

  /**
   * Only the last row per key (QuestDB's `LATEST ON … PARTITION BY`): for each distinct
   * `partitionBy` value, the row with the greatest time at or before `at`, after the other filters.
   * Rows tied at that time are told apart by the table's columns in schema order, greatest first,
   * so the answer is deterministic.
   *
   * ```ts
   * layer.query('silver.quotes').latestOn({ partitionBy: ['exchange', 'symbol'], at: '2026-11-01T12:00:00Z' })
   * // … WHERE "t"."ts" <= make_timestamp($2::BIGINT)::TIMESTAMPTZ
   * //   QUALIFY row_number() OVER (PARTITION BY "t"."exchange", "t"."symbol" ORDER BY "t"."ts" DESC, …) = 1
   * ```
   */
  latestOn(options: LatestOnOptions<T>): SelectQueryBuilder<T, O, J> {
    const latest = buildLatestOn(this.#node, options)
    const filters =
      options.at === undefined ? this.#node.filters : [...this.#node.filters, parseWhere(this.#node.table, latest.time, '<=', options.at)]
    return this.#with({ latest, filters })
  }

  /** The SQL and parameters that would run (resolves the snapshot and prunes files first). */
  async toSQL(): Promise<{ sql: string; params: Explain['params'] }> {
    const { sql, params } = await this.#ctx.plan(this.#node, false)
    return { sql, params }
  }

  /** The plan: SQL, params, and for each table which data files are read and why the others are skipped. */
  explain(): Promise<Explain> {
    return this.#ctx.plan(this.#node, true)
  }

  /** Runs the query: rows, Arrow table and lineage. */
  execute(): Promise<QueryResult<ResultRow<T, O, J>>> {
    return this.#ctx.execute(this.#node)
  }

  /** Runs the query; plain objects with times as epoch µs (`lineageOf(rows)` gives the lineage). */
  async rows(): Promise<ResultRow<T, O, J>[]> {
    return (await this.execute()).rows
  }

  /** Runs the query; an Arrow table (`schema.metadata.get('k2.lineage')` holds the lineage). */
  async arrow(): Promise<Table> {
    return (await this.execute()).table
  }

  /** Streams the result as Arrow record batches (no row cap; the query timeout covers the whole stream). */
  batches(): AsyncIterable<RecordBatch> {
    return this.#ctx.batches(this.#node)
  }

  #addSelections(added: SelectionNode[]): SelectionNode[] {
    const all = [...this.#node.selections, ...added]
    const seen = new Set<string>(this.#node.join?.columns.map((c) => c.alias))
    for (const s of all) {
      if (seen.has(s.alias)) throw new K2Error('VALIDATION', `output ${s.alias} is selected twice: give it another alias`)
      seen.add(s.alias)
    }
    return all
  }

  #checkCount(what: string, n: unknown): number {
    const cap = this.#ctx.maxLimit
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > cap) {
      throw new K2Error('VALIDATION', `${what} must be an integer from 0 to ${cap}, got ${showValue(n)}`, {
        details: { [what]: showValue(n) },
      })
    }
    return n
  }
}
