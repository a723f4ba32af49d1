/**
 * @k2/query — typed, parameterized queries over any {@link FileCatalog} (K2's lake is one), on DuckDB.
 * This entry loads in browsers, Deno and Node: no Node built-in, no native module. The native engine
 * is `@k2/query/duckdb`; the duckdb-wasm engine is here.
 *
 * ```ts
 * import { createQueryLayer } from '@k2/query'
 * import { createDuckDBEngine } from '@k2/query/duckdb'
 * const layer = createQueryLayer(lake, { engine: createDuckDBEngine() })
 * const rows = await layer.query('silver.trades').where({ symbol: 'BTC-USDT' }).limit(10).rows()
 * ```
 * @packageDocumentation
 */
export type { AggregateExpr, AggregateFunctions } from './aggregate-builder.js'
export { TIME_METADATA } from './arrow-result.js'
export type { CompiledQuery, Param, Source } from './compiled-query.js'
export type { DuckDBWasmEngineOptions, WasmDatabase } from './duckdb-wasm-engine.js'
export { createDuckDBWasmEngine } from './duckdb-wasm-engine.js'
export type { EngineBatch, EngineConnection, QueryEngine, ValueKind } from './engine.js'
export { checkDataFilePath } from './file-paths.js'
export type { CompareOp, FilterNode } from './filter-node.js'
export type { Lineage, LineageTable } from './lineage.js'
export { fingerprint, lineageOf } from './lineage.js'
export { type ArrowTableLike, MAX_MEMORY_ROWS, type MemoryCatalog, type MemoryRows, memoryCatalog } from './memory-catalog.js'
export type { Lease, PoolOptions, PoolStats } from './pool.js'
export { ConnectionPool } from './pool.js'
export { mayHoldMatch, pruneReasons } from './prune.js'
export type { Explain, ExplainFile, ExplainTable, QueryResult } from './query-context.js'
export type { QueryLayer, QueryLayerOptions } from './query-layer.js'
export { createQueryLayer } from './query-layer.js'
export type { ColumnName, ColumnsOfType, ColumnTypeOf, NumericColumn, OrderedColumn, TimeColumn } from './schema.js'
export type { AllColumns, AsOfInput, AsofJoinOptions, ResultRow } from './select-query-builder.js'
export { SelectQueryBuilder } from './select-query-builder.js'
export type { AsofJoinNode, OrderNode, SelectQueryNode } from './select-query-node.js'
export type { AggregateFn, SelectionNode } from './selection-node.js'
export type { RawSqlNode, TableRef, TimeParam } from './sql-node.js'
export { SqlQuery } from './sql-query.js'
export type { ValueInput } from './value.js'
export type { Condition, ConditionOps, WhereInput, WhereOp } from './where-parser.js'
