import type { TableSpec } from '../iceberg/table-spec.js'
import { ColumnBatch } from './column-batch.js'

/**
 * Empty batches of closed writers, held weakly: the next writer of the same table reuses their
 * arrays unless the garbage collector took them first. A 1M-row batch is ~60 MB of typed arrays,
 * and allocating that much again makes V8 mark the whole heap (seconds when the caller holds
 * millions of objects); scripts that open a writer per file or per day would pay it every time.
 */

const MAX_PER_TABLE = 2
const pool = new Map<string, WeakRef<ColumnBatch>[]>()

/** An empty batch for `spec` with room for at least `capacity` rows. */
export function takeBatch(spec: TableSpec, capacity: number): ColumnBatch {
  const list = pool.get(spec.name) ?? []
  for (let i = list.length - 1; i >= 0; i--) {
    const batch = list[i]?.deref()
    if (!batch) {
      list.splice(i, 1)
      continue
    }
    if (batch.capacity >= capacity) {
      list.splice(i, 1)
      return batch
    }
  }
  return new ColumnBatch(spec, capacity)
}

/** Returns a batch nobody uses any more. */
export function giveBack(batch: ColumnBatch): void {
  const list = pool.get(batch.spec.name) ?? []
  if (list.some((ref) => ref.deref() === batch)) return // already pooled: never hand one batch to two takers
  batch.clear()
  list.push(new WeakRef(batch))
  if (list.length > MAX_PER_TABLE) list.shift()
  pool.set(batch.spec.name, list)
}
