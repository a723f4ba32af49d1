import type { TableSpec } from '../iceberg/table-spec.js'
import type { ColumnBatch } from './column-batch.js'
import { batchStats } from './column-stats.js'
import { registerBatch, releaseBatch } from './duckdb-scan.js'
import { planBatch } from './file-layout.js'
import type { Staged, StagedColumn } from './staged-rows.js'

/** Plans a column batch's layout and statistics and makes it scannable by DuckDB. */
export function stageBatch(spec: TableSpec, batch: ColumnBatch): Staged {
  const plan = planBatch(spec, batch)
  const { handle } = registerBatch(batch, plan)
  const columns: StagedColumn[] = batch.columns.map((c, k) => {
    const numeric = plan.numericIds?.column === k
    return {
      name: c.name,
      kind: numeric ? 'numid' : c.kind,
      required: c.required,
      dict: c.dict,
      ...(numeric ? { bounds: plan.numericIds?.bounds } : {}),
    }
  })
  return {
    table: null,
    batch: { handle, release: () => releaseBatch(handle) },
    rows: batch.length,
    columns,
    partitions: plan.partitions,
    mayHaveDuplicates: plan.mayHaveDuplicates,
    sorted: plan.order !== null,
    stats: batchStats(batch, plan),
  }
}
