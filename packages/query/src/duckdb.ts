/**
 * @k2/query/duckdb — the native DuckDB engine (`@duckdb/node-api`: Parquet, JSON and ICU built in,
 * works offline) for Node and Deno. A subpath of its own, so the main entry stays loadable in browsers.
 * @packageDocumentation
 */
export { createDuckDBEngine, type DuckDBEngineOptions } from './duckdb-engine.js'
