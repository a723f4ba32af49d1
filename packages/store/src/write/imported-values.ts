import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error, showValue } from '@k2/core'
import type { TableSpec } from '../iceberg/table-spec.js'
import type { Staged } from './staged-rows.js'
import { stagedSource } from './staged-rows.js'
import { sqlBadTime, stringRule, timeWant } from './value-rules.js'

/**
 * Rows staged by an import (they never pass through JS) checked against the same column rules as
 * `append()`, in one aggregate query: the first column with a bad value is VALIDATION with how many
 * rows and an example, and nothing is written.
 */
export async function checkImported(conn: DuckDBConnection, spec: TableSpec, staged: Staged, what: string): Promise<void> {
  const checks = spec.columns
    .filter((c) => c.type === 'string' || c.type === 'timestamptz')
    .map((c) => {
      const ref = `"${c.name}"`
      const rule = c.type === 'string' ? stringRule(spec, c.name) : null
      return { column: c.name, rule, bad: `${ref} IS NOT NULL AND ${rule ? rule.sqlBad(ref) : sqlBadTime(ref)}` }
    })
  const aggs = checks.flatMap((c, i) => [
    `count(*) FILTER (WHERE ${c.bad}) AS n${i}`,
    `any_value(${c.rule ? `"${c.column}"` : `epoch_us("${c.column}")`}) FILTER (WHERE ${c.bad}) AS v${i}`,
  ])
  const reader = await conn.runAndReadAll(`SELECT ${aggs.join(', ')} FROM ${stagedSource(staged, null)}`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  for (const [i, c] of checks.entries()) {
    const n = Number(row[`n${i}`] ?? 0)
    if (n === 0) continue
    const example = typeof row[`v${i}`] === 'bigint' ? Number(row[`v${i}`]) : row[`v${i}`]
    const want = c.rule ? c.rule.want : timeWant(example)
    throw new K2Error(
      'VALIDATION',
      `cannot import ${what}: ${n} rows have a "${c.column}" that is not ${want}, e.g. ${showValue(example)}; fix the file or pass the value to record (nothing was written)`,
      { details: { column: c.column, rows: n } },
    )
  }
}
