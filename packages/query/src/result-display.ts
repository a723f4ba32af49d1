import { type MimeBundle, renderRecord, renderTable, withDisplay } from '@k2/core'
import type { Table } from 'apache-arrow'
import { TIME_METADATA } from './arrow-result.js'
import type { ValueKind } from './engine.js'
import type { Lineage } from './lineage.js'
import type { Explain } from './query-context.js'

/**
 * How results show themselves in a notebook (Deno's Jupyter kernel calls
 * `[Symbol.for('Jupyter.display')]()` on a cell's value): rows and Arrow tables as HTML tables with
 * times as ISO-8601, lineage as a record, `explain()` as its SQL and a table of file choices.
 */

/** Which snapshot each table was read at, for a caption. */
function readFrom(lineage: Lineage): string {
  const tables = lineage.tables.map((t) => `${t.table} @ ${t.snapshotId === null ? 'no snapshot' : `snapshot ${t.snapshotId}`}`)
  return tables.length > 0 ? `read ${tables.join(', ')}` : 'read no table'
}

/** `rows` (a `rows()` result) with a display method; the columns of `kind` timestamp show as times. */
export function displayRows<R>(rows: R[], names: readonly string[], kinds: readonly ValueKind[], lineage: Lineage): R[] {
  const micros = names.filter((_, i) => kinds[i] === 'timestamp')
  return withDisplay(rows, () => renderTable(rows, { columns: names, micros, caption: readFrom(lineage) }))
}

/** An `arrow()` result with a display method: its first rows, times from `k2.unit = epoch_us` fields. */
export function displayArrow(table: Table, lineage: Lineage): Table {
  return withDisplay(table, (): MimeBundle => {
    const fields = table.schema.fields
    const micros = fields.filter((f) => f.metadata.get('k2.unit') === TIME_METADATA.get('k2.unit')).map((f) => f.name)
    const shown = table
      .slice(0, 20)
      .toArray()
      .map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON())
    return renderTable(shown, { columns: fields.map((f) => f.name), micros, totalRows: table.numRows, caption: readFrom(lineage) })
  })
}

/** A lineage object (before it is frozen) that shows as a record. */
export function displayLineage<L extends Lineage>(lineage: L): L {
  return withDisplay(lineage, () =>
    renderRecord({ read: readFrom(lineage), fingerprint: lineage.fingerprint, tables: lineage.tables.map((t) => t.table) }),
  )
}

/** An `explain()` result that shows its SQL (as a caption) and, per table, which files it reads and why not. */
export function displayExplain<E extends Explain>(plan: E): E {
  return withDisplay(plan, () => {
    const files = plan.tables.flatMap((t) =>
      t.files.map((f) => ({
        table: t.table,
        snapshot: t.snapshotId,
        file: f.path.slice(f.path.lastIndexOf('/') + 1),
        rows: f.recordCount,
        read: f.chosen,
        why: f.reasons.join('; '),
      })),
    )
    const read = files.filter((f) => f.read).length
    const caption = `${plan.sql} — reads ${read} of ${files.length} files`
    return renderTable(files, { columns: ['table', 'snapshot', 'file', 'rows', 'read', 'why'], caption, maxRows: 50 })
  })
}
