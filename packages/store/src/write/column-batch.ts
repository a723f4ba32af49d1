import { K2Error, showValue } from '@k2/core'
import type { TableSpec } from '../iceberg/table-spec.js'
import { MAX_TIME_US, MIN_TIME_US, type StringRule, stringRule, timeWant } from './value-rules.js'

/**
 * Rows turned into columns as they are appended: one pass over the row objects checks every value
 * against the table's types and copies it into a typed array (strings of low-cardinality columns
 * become dictionary codes, ids are parsed as numbers when they are canonical decimals). Everything
 * after — partitioning, ordering, statistics, the hand-over to DuckDB — reads these arrays, never
 * the objects again. Chosen by measurement (bench/store-write.bench.ts): five passes over the row
 * objects cost more than the Parquet encoding.
 *
 * Rows are read by column name, else by its camelCase alias (`recv_ts` ← `recvTs`), so core events
 * such as `Trade` are read as they are. The reader is generated per table from its fixed, trusted
 * schema (names match /^[a-z][a-z0-9_]*$/, never user input): literal property reads keep V8's
 * inline caches monomorphic, where `row[name]` in a loop costs ~50 ns a value.
 */

export type Kind = 'code' | 'string' | 'double' | 'int' | 'long' | 'ts' | 'bool'

export interface BatchColumn {
  readonly name: string
  readonly kind: Kind
  readonly required: boolean
  /**
   * code: Int32Array of dictionary codes (-1 = null); double, long, ts: Float64Array; int:
   * Int32Array; bool: Uint8Array; string: the strings (null = null).
   */
  values: Float64Array | Int32Array | Uint8Array | (string | null)[]
  /** Numeric columns: 1 where the value is null; null while the column has no null. */
  nulls: Uint8Array | null
  /** code: index → string, and its inverse. */
  readonly dict: string[]
  readonly index: Map<string, number>
  /** The unique key's id column: the value of each canonical decimal id below 10^15, else NaN. */
  ids: Float64Array | null
}

const NAME = /^[a-z][a-z0-9_]*$/
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

function readExpr(name: string): string {
  if (!NAME.test(name)) throw new Error(`unsafe column name ${name}`)
  const alias = camel(name)
  return alias === name ? `r.${name}` : `(r.${name} === undefined ? r.${alias} : r.${name})`
}

function kindOf(spec: TableSpec, name: string, type: string): Kind {
  if (type === 'string') return spec.lowCardinality.has(name) ? 'code' : 'string'
  if (type === 'timestamptz') return 'ts'
  if (type === 'boolean') return 'bool'
  return type as Kind
}

/**
 * The value of a canonical decimal id below 10^15 ("0", "42"; not "042", "4e2", " 4"), else NaN.
 * A digit loop: `Number(s)` and a regex cost ~200 ns each on 10-digit strings.
 */
export function parseId(s: string): number {
  const n = s.length
  if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(0) === 48)) return Number.NaN
  let x = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return Number.NaN
    x = x * 10 + c
  }
  return x
}

/**
 * `read(rows, at, cols, code, nul, parseId, rules)`: copies `rows` into the columns from index `at`;
 * returns -1, or `i * width + k` for the first value of the wrong type or refused by its column's
 * rule, or `-2 - i` for a row that is not an object. Values past a failure are garbage the caller
 * never counts.
 */
type Read = (
  rows: readonly unknown[],
  at: number,
  cols: BatchColumn[],
  code: (k: number, v: string) => number,
  nul: (k: number, i: number) => void,
  parseId: (s: string) => number,
  rules: readonly (((v: string) => boolean) | null)[],
) => number

const readers = new Map<string, Read>()

function reader(spec: TableSpec, kinds: readonly Kind[], idColumn: number): Read {
  let fn = readers.get(spec.name)
  if (fn) return fn
  const width = spec.columns.length
  const decl: string[] = []
  const body: string[] = []
  spec.columns.forEach((c, k) => {
    const v = `v${k}`
    const kind = kinds[k] as Kind
    const fail = `return i * ${width} + ${k};`
    decl.push(`const a${k} = cols[${k}].values;`)
    body.push(`const ${v} = ${readExpr(c.name)};`)
    const missing = c.required
      ? fail
      : kind === 'code'
        ? `a${k}[at + i] = -1;`
        : kind === 'string'
          ? `a${k}[at + i] = null;`
          : `a${k}[at + i] = 0; nul(${k}, at + i);`
    body.push(`if (${v} === null || ${v} === undefined) { ${missing} } else {`)
    switch (kind) {
      case 'code':
        decl.push(`let last${k}; let lc${k} = 0; const ix${k} = cols[${k}].index; const r${k} = rules[${k}];`)
        // A new dictionary value is checked once (its rule includes well-formedness); known values passed already.
        body.push(
          ` if (${v} !== last${k}) { if (typeof ${v} !== 'string') ${fail} last${k} = ${v}; lc${k} = ix${k}.get(${v}); if (lc${k} === undefined) { if (!r${k}(${v})) ${fail} lc${k} = code(${k}, ${v}); } }`,
        )
        body.push(` a${k}[at + i] = lc${k};`)
        break
      case 'string':
        decl.push(`const r${k} = rules[${k}];`)
        if (k === idColumn) {
          // A canonical decimal id is digits only: its rule cannot fail, so only other ids are checked.
          decl.push(`const ids = cols[${k}].ids;`)
          body.push(
            ` if (typeof ${v} !== 'string') ${fail} const n${k} = parseId(${v}); ids[at + i] = n${k}; if (n${k} !== n${k} && !r${k}(${v})) ${fail} a${k}[at + i] = ${v};`,
          )
        } else body.push(` if (typeof ${v} !== 'string' || !r${k}(${v})) ${fail} a${k}[at + i] = ${v};`)
        break
      case 'double':
        body.push(` if (typeof ${v} !== 'number' || ${v} !== ${v}) ${fail} a${k}[at + i] = ${v};`)
        break
      case 'int':
        body.push(` if (!Number.isInteger(${v}) || ${v} < -2147483648 || ${v} > 2147483647) ${fail} a${k}[at + i] = ${v};`)
        break
      case 'long':
        body.push(` if (!Number.isSafeInteger(${v})) ${fail} a${k}[at + i] = ${v};`)
        break
      case 'ts':
        body.push(` if (!Number.isInteger(${v}) || ${v} < ${MIN_TIME_US} || ${v} > ${MAX_TIME_US}) ${fail} a${k}[at + i] = ${v};`)
        break
      case 'bool':
        body.push(` if (typeof ${v} !== 'boolean') ${fail} a${k}[at + i] = ${v} ? 1 : 0;`)
        break
    }
    body.push('}')
  })
  fn = new Function(
    'rows',
    'at',
    'cols',
    'code',
    'nul',
    'parseId',
    'rules',
    `${decl.join('\n')}\nconst n = rows.length;\nfor (let i = 0; i < n; i++) {\nconst r = rows[i];\nif (r === null || typeof r !== 'object' || Array.isArray(r)) return -2 - i;\n${body.join('\n')}\n}\nreturn -1;`,
  ) as Read
  readers.set(spec.name, fn)
  return fn
}

// Lone UTF-16 surrogates have no UTF-8 form: DuckDB would store U+FFFD and the bounds would be wrong.
const WANT: Record<Exclude<Kind, 'code' | 'string' | 'ts'>, string> = {
  double: 'a number (not NaN)',
  int: 'a 32-bit integer',
  long: 'a safe integer',
  bool: 'a boolean',
}

/** A growing set of checked rows of one table, stored by column. */
export class ColumnBatch {
  readonly spec: TableSpec
  readonly columns: BatchColumn[]
  #length = 0
  #capacity = 0
  readonly #read: Read
  readonly #rules: readonly (StringRule | null)[]
  readonly #checks: readonly (((v: string) => boolean) | null)[]

  /** `capacity`: rows to allocate for up front; growing copies every column and drives GC. */
  constructor(spec: TableSpec, capacity = 1024) {
    this.spec = spec
    const idName = spec.uniqueKey?.[spec.uniqueKey.length - 1]
    const kinds = spec.columns.map((c) => kindOf(spec, c.name, c.type))
    this.columns = spec.columns.map((c, k) => ({
      name: c.name,
      kind: kinds[k] as Kind,
      required: c.required,
      values: kinds[k] === 'string' ? [] : new Float64Array(0),
      nulls: null,
      dict: [],
      index: new Map(),
      ids: c.name === idName && kinds[k] === 'string' ? new Float64Array(0) : null,
    }))
    this.#grow(capacity)
    this.#rules = spec.columns.map((c) => (c.type === 'string' ? stringRule(spec, c.name) : null))
    this.#checks = this.#rules.map((r) => r?.ok ?? null)
    this.#read = reader(
      spec,
      kinds,
      this.columns.findIndex((c) => c.ids !== null),
    )
  }

  get length(): number {
    return this.#length
  }

  /** Rows it holds without growing. */
  get capacity(): number {
    return this.#capacity
  }

  /**
   * Checks and appends rows; on a bad value throws VALIDATION naming it and appends nothing.
   * `firstIndex` numbers the rows in the message (their index in the caller's input).
   */
  append(rows: readonly unknown[], firstIndex = 0): void {
    if (rows.length === 0) return
    this.#grow(this.#length + rows.length)
    const at = this.#length
    const cols = this.columns
    const code = (k: number, v: string): number => {
      const c = cols[k] as BatchColumn
      let x = c.index.get(v)
      if (x === undefined) {
        x = c.dict.length
        c.index.set(v, x)
        c.dict.push(v)
      }
      return x
    }
    const nul = (k: number, i: number): void => {
      const c = cols[k] as BatchColumn
      c.nulls ??= new Uint8Array(this.#capacity)
      c.nulls[i] = 1
    }
    const bad = this.#read(rows, at, cols, code, nul, parseId, this.#checks)
    if (bad === -1) {
      this.#length += rows.length
      return
    }
    // Nothing was counted; clear null marks the failed call left behind.
    for (const c of cols) c.nulls?.fill(0, at)
    if (bad < -1) {
      const i = -2 - bad
      throw new K2Error(
        'VALIDATION',
        `row ${firstIndex + i} of ${this.spec.name} is ${showValue(rows[i])}, not an object: pass rows keyed by column name (nothing was written)`,
      )
    }
    const width = cols.length
    const i = Math.floor(bad / width)
    const col = cols[bad % width] as BatchColumn
    const row = rows[i] as Record<string, unknown>
    const value = row[col.name] === undefined ? row[camel(col.name)] : row[col.name]
    const want =
      col.kind === 'ts' ? timeWant(value) : col.kind === 'code' || col.kind === 'string' ? this.#rules[bad % width]?.want : WANT[col.kind]
    throw new K2Error(
      'VALIDATION',
      `row ${firstIndex + i} of ${this.spec.name}: column "${col.name}" must be ${want}${col.required ? '' : ' or null'}, got ${showValue(value)}: fix or drop the row (nothing was written)`,
      { details: { table: this.spec.name, row: firstIndex + i, column: col.name } },
    )
  }

  readonly #work = new Map<string, Float64Array | Int32Array | Uint32Array>()

  /**
   * A work array of `n` elements owned by this batch, reused by the next plan of it (contents are
   * whatever was left there). Planning and staging a batch happen before it is cleared.
   */
  work<A extends Float64Array | Int32Array | Uint32Array>(name: string, n: number, make: (n: number) => A): A {
    const have = this.#work.get(name) as A | undefined
    if (have && have.length >= n) return have.subarray(0, n) as A
    const made = make(Math.max(n, this.#capacity))
    this.#work.set(name, made)
    return made.subarray(0, n) as A
  }

  /** Empties the batch, keeping its arrays for the next rows (dictionaries start again). */
  clear(): void {
    for (const c of this.columns) {
      if (c.kind === 'string') (c.values as (string | null)[]).fill(null, 0, this.#length) // let the strings go
      c.nulls?.fill(0, 0, this.#length)
      c.dict.length = 0
      c.index.clear()
    }
    this.#length = 0
  }

  #grow(need: number): void {
    if (need <= this.#capacity && this.#capacity > 0) return
    const cap = Math.max(need, 2 * this.#capacity, 1024)
    const n = this.#length
    const resize = <A extends Float64Array | Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap)
      b.set(a.subarray(0, n) as never)
      return b
    }
    for (const c of this.columns) {
      if (c.kind === 'string') {
        if (c.ids) c.ids = resize(c.ids, (m) => new Float64Array(m))
        // Sized once: an array grown by writes is copied at every doubling.
        const strings = new Array<string | null>(cap)
        const old = c.values as (string | null)[]
        for (let i = 0; i < n; i++) strings[i] = old[i] as string | null
        c.values = strings
        continue
      }
      const v = c.values as Float64Array | Int32Array | Uint8Array
      if (c.kind === 'code' || c.kind === 'int') c.values = resize(v as Int32Array, (m) => new Int32Array(m))
      else if (c.kind === 'bool') c.values = resize(v as Uint8Array, (m) => new Uint8Array(m))
      else c.values = resize(v as Float64Array, (m) => new Float64Array(m))
      if (c.nulls) c.nulls = resize(c.nulls, (m) => new Uint8Array(m))
    }
    this.#capacity = cap
  }
}
