import { K2Error } from '@k2/core'
import type { CompiledQuery, Param, Source } from './compiled-query.js'
import { quoteIdentifier as q } from './compiled-query.js'
import type { FilterNode } from './filter-node.js'
import { columnSpec, columnSpecs } from './schema.js'
import type { SelectQueryNode } from './select-query-node.js'
import { isAggregate } from './select-query-node.js'
import type { SelectionNode } from './selection-node.js'
import { castPlaceholder, duckType, unreachable } from './value.js'

/** Resolves each table node of a query (the main one and a joined one) to the files it reads. */
export type SourceOf = (node: SelectQueryNode) => Source

/**
 * Compiles a query node to one DuckDB SELECT. Values are only ever appended as `$n` placeholders
 * (kysely's `appendValue`); identifiers come from the table schema or are checked aliases, quoted.
 */
export class QueryCompiler {
  readonly #params: Param[] = []

  /** Appends `value` to the parameters and returns its placeholder. */
  value(value: Param): string {
    this.#params.push(value)
    return `$${this.#params.length}`
  }

  get params(): readonly Param[] {
    return this.#params
  }

  /**
   * The SQL of a table's rows: `read_parquet($n::VARCHAR[], hive_partitioning = false)` of the files,
   * a table the engine holds (in-memory rows), or a typed empty relation. `project` wraps the files in `(SELECT <schema columns> …)` so that
   * `*` sees exactly the schema (for `sql` templates); the builder names its columns itself, and
   * skipping the wrapper saves DuckDB a bind step (measurable on point queries).
   */
  source(table: SelectQueryNode['table'], source: Source, project = true): string {
    const specs = columnSpecs(table)
    if (source.kind === 'empty') {
      return `(SELECT ${specs.map((c) => `NULL::${duckType(c.type)} AS ${q(c.name)}`).join(', ')} LIMIT 0)`
    }
    if (source.kind === 'relation') return `(SELECT ${specs.map((c) => q(c.name)).join(', ')} FROM ${q(source.name)})`
    const scan = `read_parquet(${this.value(source.files)}::VARCHAR[], hive_partitioning = false)`
    return project ? `(SELECT ${specs.map((c) => q(c.name)).join(', ')} FROM ${scan})` : scan
  }

  filter(node: SelectQueryNode, f: FilterNode, alias: string): string {
    const spec = columnSpec(node.table, f.column)
    const col = `${q(alias)}.${q(spec.name)}`
    switch (f.kind) {
      case 'compare':
        return `${col} ${f.op} ${castPlaceholder(spec.type, this.value(f.value))}`
      case 'in': {
        if (f.values.length === 0) return f.negated ? 'true' : 'false'
        const list = f.values.map((v) => castPlaceholder(spec.type, this.value(v))).join(', ')
        return `${col} ${f.negated ? 'NOT IN' : 'IN'} (${list})`
      }
      case 'null':
        return `${col} IS ${f.negated ? 'NOT NULL' : 'NULL'}`
      default:
        return unreachable(f)
    }
  }

  selection(node: SelectQueryNode, s: SelectionNode): string {
    const col = (name: string) => `"t".${q(columnSpec(node.table, name).name)}`
    switch (s.kind) {
      case 'column':
        return `${col(s.column)} AS ${q(s.alias)}`
      case 'bucket': {
        const us = `epoch_us(${col(s.column)})`
        const w = `${this.value(s.micros)}::BIGINT`
        // Epoch-aligned floor that is also right before 1970 (SQL % keeps the dividend's sign).
        return `${us} - ((${us} % ${w}) + ${w}) % ${w} AS ${q(s.alias)}`
      }
      case 'aggregate':
        return `${aggregate(s, col)} AS ${q(s.alias)}`
      default:
        return unreachable(s)
    }
  }

  compile(node: SelectQueryNode, sourceOf: SourceOf): string {
    const parts: string[] = []
    const outputs = node.selections.length > 0 ? node.selections.map((s) => this.selection(node, s)) : allColumns(node)
    for (const c of node.join?.columns ?? []) outputs.push(`${this.joined(node, c.column)} AS ${q(c.alias)}`)
    parts.push(`SELECT ${outputs.join(', ')} FROM ${this.source(node.table, sourceOf(node), false)} AS "t"`)
    if (node.join) parts.push(this.asofJoin(node, sourceOf))
    const where = node.filters.map((f) => this.filter(node, f, 't'))
    if (where.length > 0) parts.push(`WHERE ${where.join(' AND ')}`)
    if (node.latest) parts.push(this.latestOn(node))
    if (isAggregate(node)) {
      const keys = node.selections.flatMap((s, i) => (s.kind === 'aggregate' ? [] : [String(i + 1)]))
      if (keys.length > 0) parts.push(`GROUP BY ${keys.join(', ')}`)
    }
    if (node.orderBy.length > 0)
      parts.push(`ORDER BY ${node.orderBy.map((o) => `${this.orderKey(node, o.key)} ${o.direction.toUpperCase()}`).join(', ')}`)
    if (node.limit !== null) parts.push(`LIMIT ${this.value(node.limit)}::BIGINT`)
    if (node.offset !== null) parts.push(`OFFSET ${this.value(node.offset)}::BIGINT`)
    return parts.join(' ')
  }

  private asofJoin(node: SelectQueryNode, sourceOf: SourceOf): string {
    const join = node.join!
    const right = join.right
    const cols = new Set([...join.using, join.rightTime, ...join.columns.map((c) => c.column)])
    const inner = [`SELECT ${[...cols].map((c) => `"r".${q(columnSpec(right.table, c).name)}`).join(', ')}`]
    inner.push(`FROM ${this.source(right.table, sourceOf(right), false)} AS "r"`)
    const where = right.filters.map((f) => this.filter(right, f, 'r'))
    if (where.length > 0) inner.push(`WHERE ${where.join(' AND ')}`)
    const on = join.using.map((c) => `"t".${q(c)} = "j".${q(c)}`)
    on.push(`"t".${q(join.leftTime)} >= "j".${q(join.rightTime)}`)
    return `ASOF LEFT JOIN (${inner.join(' ')}) AS "j" ON ${on.join(' AND ')}`
  }

  /** A right column of the as-of join; past the tolerance, null (the latest match is too old, so every match is). */
  private joined(node: SelectQueryNode, column: string): string {
    const join = node.join!
    if (join.toleranceMicros === null) return `"j".${q(column)}`
    const age = `epoch_us("t".${q(join.leftTime)}) - epoch_us("j".${q(join.rightTime)})`
    return `CASE WHEN ${age} <= ${this.value(join.toleranceMicros)}::BIGINT THEN "j".${q(column)} END`
  }

  /** `LATEST ON`: one row per key, the last by time; ties broken by every column, greatest first. */
  private latestOn(node: SelectQueryNode): string {
    const latest = node.latest!
    if (node.selections.some((s) => s.kind !== 'column'))
      throw new K2Error('VALIDATION', 'latestOn() cannot be combined with aggregates or buckets: it picks rows, not groups')
    const keys = latest.partitionBy.map((c) => `"t".${q(c)}`).join(', ')
    const order = [
      latest.time,
      ...columnSpecs(node.table)
        .map((c) => c.name)
        .filter((c) => c !== latest.time),
    ]
    return `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${order.map((c) => `"t".${q(c)} DESC NULLS LAST`).join(', ')}) = 1`
  }

  private orderKey(node: SelectQueryNode, key: string): string {
    const outputs = node.selections.length > 0 ? node.selections.map((s) => s.alias) : columnSpecs(node.table).map((c) => c.name)
    if (outputs.includes(key) || node.join?.columns.some((c) => c.alias === key)) return q(key)
    if (isAggregate(node)) {
      throw new K2Error('VALIDATION', `cannot order an aggregate query by ${key}: order by one of its outputs (${outputs.join(', ')})`)
    }
    return `"t".${q(columnSpec(node.table, key).name)}`
  }
}

function allColumns(node: SelectQueryNode): string[] {
  return columnSpecs(node.table).map((c) => `"t".${q(c.name)} AS ${q(c.name)}`)
}

function aggregate(s: Extract<SelectionNode, { kind: 'aggregate' }>, col: (name: string) => string): string {
  if (s.column === null) return 'count(*)'
  const c = col(s.column)
  switch (s.fn) {
    case 'count':
      return `count(${c})`
    case 'count_distinct':
      return `count(DISTINCT ${c})`
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return `${s.fn}(${c})`
    case 'first':
      return `arg_min(${c}, ${col(s.by!)})`
    case 'last':
      return `arg_max(${c}, ${col(s.by!)})`
    default:
      return unreachable(s.fn)
  }
}

/** Compiles a query node with its sources to `{ sql, params }`. */
export function compileSelect<R>(node: SelectQueryNode, sourceOf: SourceOf): CompiledQuery<R> {
  const compiler = new QueryCompiler()
  const sql = compiler.compile(node, sourceOf)
  return Object.freeze({ sql, params: Object.freeze([...compiler.params]) })
}
