import { defineConfig } from 'tsup'

export default defineConfig({
  // The portable entry (browsers, Deno, Node) and the native DuckDB engine, which only Node/Deno load.
  entry: { index: 'src/index.ts', duckdb: 'src/duckdb.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
})
