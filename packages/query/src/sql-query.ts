import type { RecordBatch, Table } from 'apache-arrow'
import type { Explain, QueryResult } from './query-context.js'
import type { RawSqlNode } from './sql-node.js'

/** What a `sql` template needs from its layer. */
export interface RawQueryContext {
  /** With `explain`, each table lists its files (`toSQL()` leaves that off). */
  planRaw(node: RawSqlNode, explain: boolean): Promise<Explain>
  executeRaw<R>(node: RawSqlNode): Promise<QueryResult<R>>
  batchesRaw(node: RawSqlNode): AsyncIterable<RecordBatch>
}

/**
 * A query written as a `sql` tagged template. Awaiting it runs it (a {@link QueryResult}); it also
 * has the builder's `rows()`, `arrow()`, `batches()`, `toSQL()` and `explain()`.
 */
export class SqlQuery<R = Record<string, unknown>> implements PromiseLike<QueryResult<R>> {
  readonly #ctx: RawQueryContext
  readonly #node: RawSqlNode

  constructor(ctx: RawQueryContext, node: RawSqlNode) {
    this.#ctx = ctx
    this.#node = node
  }

  toNode(): RawSqlNode {
    return this.#node
  }

  /** Declares the row type: `layer.sql\`…\`.as<{ symbol: string; n: number }>()`. */
  as<R2>(): SqlQuery<R2> {
    return new SqlQuery<R2>(this.#ctx, this.#node)
  }

  async toSQL(): Promise<{ sql: string; params: Explain['params'] }> {
    const { sql, params } = await this.#ctx.planRaw(this.#node, false)
    return { sql, params }
  }

  explain(): Promise<Explain> {
    return this.#ctx.planRaw(this.#node, true)
  }

  execute(): Promise<QueryResult<R>> {
    return this.#ctx.executeRaw<R>(this.#node)
  }

  async rows(): Promise<R[]> {
    return (await this.execute()).rows
  }

  async arrow(): Promise<Table> {
    return (await this.execute()).table
  }

  batches(): AsyncIterable<RecordBatch> {
    return this.#ctx.batchesRaw(this.#node)
  }

  // biome-ignore lint/suspicious/noThenProperty: awaiting a template runs it, as the issue's `await lake.sql\`…\`` shows.
  then<A = QueryResult<R>, B = never>(
    onfulfilled?: ((value: QueryResult<R>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.execute().then(onfulfilled, onrejected)
  }
}
