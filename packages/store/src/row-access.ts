import type { TableSpec } from './table-spec.js'

/**
 * Reading row objects fast. A loop that reads `row[name]` for several names goes megamorphic in
 * V8 and costs ~50 ns a value; a function with literal property reads (`r.price`) stays
 * monomorphic. So each table gets generated readers, built from its fixed, trusted schema (names
 * match /^[a-z_]+$/; never from user input). Columns are read by name, else by camelCase alias
 * (`recv_ts` ← `recvTs`), so core events are read as they are, without a copy.
 */

const NAME = /^[a-z][a-z0-9_]*$/
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

function readExpr(name: string): string {
  if (!NAME.test(name)) throw new Error(`unsafe column name ${name}`)
  const alias = camel(name)
  return alias === name ? `r.${name}` : `(r.${name} === undefined ? r.${alias} : r.${name})`
}

/** Column kinds as the stager stores them. */
export type FillKind = 'code' | 'string' | 'numid' | 'double' | 'int' | 'long' | 'ts' | 'bool'

/**
 * `fill(rows, off, n, out, code)`: for each column k, writes rows[off..off+n) into `out[k]`:
 * Float64Array/Int32Array items for numbers, Uint32Array halves for 64-bit values, dictionary
 * codes (via `code(k, value)`) for low-cardinality strings, and plain arrays otherwise (nulls
 * become undefined there, or NaN markers handled by the caller through `nulls[k]`).
 */
export type Fill = (
  rows: readonly unknown[],
  off: number,
  n: number,
  out: unknown[],
  code: (k: number, v: string) => number,
  nulls: (k: number, j: number) => void,
  ids: Float64Array | null,
  order: Uint32Array | null,
) => void

const cache = new Map<string, Fill>()

export function filler(spec: TableSpec, kinds: readonly FillKind[]): Fill {
  const key = `${spec.name}:${kinds.join(',')}`
  let fn = cache.get(key)
  if (fn) return fn
  const body: string[] = []
  spec.columns.forEach((c, k) => {
    const kind = kinds[k]
    const v = `v${k}`
    body.push(`const ${v} = ${readExpr(c.name)};`)
    body.push(`if (${v} === null || ${v} === undefined) nulls(${k}, j); else {`)
    switch (kind) {
      case 'code':
        body.push(` if (${v} !== last${k}) { last${k} = ${v}; lc${k} = code(${k}, ${v}); } o${k}[j] = lc${k};`)
        break
      case 'double':
      case 'int':
        body.push(` o${k}[j] = ${v};`)
        break
      case 'long':
      case 'ts':
        body.push(` const h = Math.floor(${v} / 4294967296); o${k}[2 * j] = ${v} - h * 4294967296; o${k}[2 * j + 1] = h;`)
        break
      case 'numid':
        body.push(` const x = ids[i]; const h = Math.floor(x / 4294967296); o${k}[2 * j] = x - h * 4294967296; o${k}[2 * j + 1] = h;`)
        break
      default:
        body.push(` o${k}[j] = ${v};`)
    }
    body.push('}')
  })
  const decl = spec.columns.map((_, k) => `const o${k} = out[${k}]; let last${k}; let lc${k} = 0;`).join('\n')
  fn = new Function(
    'rows',
    'off',
    'n',
    'out',
    'code',
    'nulls',
    'ids',
    'order',
    `${decl}\nfor (let j = 0; j < n; j++) {\nconst i = order === null ? off + j : order[off + j];\nconst r = rows[i];\n${body.join('\n')}\n}`,
  ) as Fill
  cache.set(key, fn)
  return fn
}

/** `scan(rows, visit)`: calls `visit(i, v0, …, v4)` with up to five columns of each row. */
export type Scan = (
  rows: readonly unknown[],
  visit: (i: number, v0: unknown, v1: unknown, v2: unknown, v3: unknown, v4: unknown) => void,
) => void

const scanCache = new Map<string, Scan>()

export function scanner(names: readonly (string | null)[]): Scan {
  const key = names.join(',')
  let fn = scanCache.get(key)
  if (fn) return fn
  const args = [0, 1, 2, 3, 4].map((k) => {
    const name = names[k]
    return name ? readExpr(name) : 'undefined'
  })
  fn = new Function(
    'rows',
    'visit',
    `const n = rows.length;\nfor (let i = 0; i < n; i++) { const r = rows[i]; visit(i, ${args.join(', ')}); }`,
  ) as Scan
  scanCache.set(key, fn)
  return fn
}

/** `check(rows)`: `i * width + column` of the first value failing its type, `-2 - i` for a row that is not an object, or -1. */
export type Check = (rows: readonly unknown[]) => number

const checkCache = new Map<string, Check>()

export function checker(spec: TableSpec, kinds: readonly FillKind[]): Check {
  let fn = checkCache.get(spec.name)
  if (fn) return fn
  const width = spec.columns.length
  const tests = spec.columns.map((c, k) => {
    const v = `v${k}`
    const kind = kinds[k]
    const type =
      kind === 'double'
        ? `typeof ${v} === 'number' && ${v} === ${v}`
        : kind === 'ts' || kind === 'long'
          ? `Number.isSafeInteger(${v})`
          : kind === 'int'
            ? `Number.isInteger(${v}) && ${v} >= -2147483648 && ${v} <= 2147483647`
            : kind === 'bool'
              ? `typeof ${v} === 'boolean'`
              : `typeof ${v} === 'string'`
    const missing = c.required ? 'false' : 'true'
    return `const ${v} = ${readExpr(c.name)}; if (!((${v} === null || ${v} === undefined) ? ${missing} : (${type}))) return i * ${width} + ${k};`
  })
  fn = new Function(
    'rows',
    `const n = rows.length;\nfor (let i = 0; i < n; i++) {\nconst r = rows[i];\nif (r === null || typeof r !== 'object') return -2 - i;\n${tests.join('\n')}\n}\nreturn -1;`,
  ) as Check
  checkCache.set(spec.name, fn)
  return fn
}
