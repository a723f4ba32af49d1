import { K2Error, parseDuration, showValue } from '@k2/core'
import { checkAlias } from './builder-args.js'
import { columnNames, columnSpec, timeColumnOf } from './schema.js'
import type { SelectQueryNode } from './select-query-node.js'

/** Checks `asofJoin()`'s right side and options into a join node (columns from both schemas only). */
export function buildAsofJoin(left: SelectQueryNode, right: SelectQueryNode, options: unknown): SelectQueryNode['join'] {
  if (right.selections.length || right.orderBy.length || right.limit !== null || right.offset !== null || right.join) {
    throw new K2Error('VALIDATION', 'the right side of asofJoin() may only have where() and asOf(); choose its columns with `select`')
  }
  if (left.selections.some((s) => s.kind !== 'column'))
    throw new K2Error('VALIDATION', 'asofJoin() cannot be combined with aggregates or buckets')
  const o = (options ?? {}) as { using?: unknown; on?: unknown; select?: unknown; tolerance?: unknown }
  if (!Array.isArray(o.using) || o.using.length === 0)
    throw new K2Error('VALIDATION', "asofJoin() needs using: the columns equal on both sides, e.g. ['exchange', 'symbol']")
  const using = o.using.map((c) => columnSpec(right.table, columnSpec(left.table, c).name).name)
  const on = Array.isArray(o.on) ? o.on : [timeColumnOf(left.table), timeColumnOf(right.table)]
  const [lt, rt] = [columnSpec(left.table, on[0]), columnSpec(right.table, on[1])]
  if (lt.type !== 'timestamptz' || rt.type !== 'timestamptz')
    throw new K2Error('VALIDATION', 'asofJoin() on needs a timestamptz column on each side')
  if (typeof o.select !== 'object' || o.select === null) throw new K2Error('VALIDATION', 'asofJoin() needs select: { alias: rightColumn }')
  const taken = new Set(left.selections.length ? left.selections.map((s) => s.alias) : columnNames(left.table))
  const columns = Reflect.ownKeys(o.select).map((alias) => {
    const a = checkAlias(alias)
    if (taken.has(a)) throw new K2Error('VALIDATION', `asofJoin() alias ${a} is already an output`)
    return Object.freeze({ column: columnSpec(right.table, (o.select as Record<string, unknown>)[a]).name, alias: a })
  })
  return Object.freeze({
    right,
    using: Object.freeze(using),
    leftTime: lt.name,
    rightTime: rt.name,
    columns: Object.freeze(columns),
    toleranceMicros: o.tolerance === undefined ? null : toleranceOf(o.tolerance),
  })
}

function toleranceOf(value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new K2Error(
      'VALIDATION',
      `asofJoin() tolerance must be a duration such as '5s', '250ms' or '1m' (or µs), got ${showValue(value)}`,
    )
  return parseDuration(value)
}
