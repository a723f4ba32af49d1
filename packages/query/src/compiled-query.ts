/** A value bound to a `$n` placeholder. Lists bind file paths (`read_parquet`) and `sql` template arrays. */
export type Param = string | number | boolean | bigint | null | readonly string[] | readonly number[]

/**
 * What every query compiles to: one DuckDB statement whose values are all `$n` placeholders, and
 * the values bound to them, in order. `R` is the row type the query returns.
 */
export interface CompiledQuery<R = unknown> {
  readonly sql: string
  readonly params: readonly Param[]
  /** Phantom: carries the row type; never set at run time. */
  readonly __row?: R
}

/**
 * Where a table's rows come from: the data files of a snapshot, a table the engine holds (in-memory
 * rows loaded by the layer, named by K2), or nothing (a typed empty relation).
 */
export type Source =
  | { readonly kind: 'files'; readonly files: readonly string[] }
  | { readonly kind: 'relation'; readonly name: string }
  | { readonly kind: 'empty' }

const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** True for an identifier K2 accepts as an output alias: letters, digits and `_`, not starting with a digit. */
export function isSafeIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER_RE.test(name)
}

/** Double-quotes an identifier (doubling any quote), as SQL requires. Callers only pass checked names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
