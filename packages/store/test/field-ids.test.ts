import { readFileSync } from 'node:fs'
import { TABLE_NAMES } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { tableSpec } from '../src/iceberg/table-spec.js'

// Iceberg binds a data file's columns to the table's by field id, and every lake K2 ever wrote
// holds these ids in its metadata and files. Renumbering a column (inserting one before it,
// reordering, renaming) would make K2 refuse to write to those lakes and other engines read the
// old files' values under other names. The record is in fixtures/field-ids.json.
const recorded = JSON.parse(readFileSync(new URL('./fixtures/field-ids.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, number>
>

describe('Iceberg field ids', () => {
  it('no table loses a column or changes a column id', () => {
    for (const [table, columns] of Object.entries(recorded)) {
      const spec = tableSpec(table as never)
      const now = Object.fromEntries(spec.columns.map((c) => [c.name, c.id]))
      for (const [name, id] of Object.entries(columns))
        expect(now[name], `${table}.${name} keeps field id ${id}: add columns at the end of the table's list`).toBe(id)
    }
  })

  it('new columns and new tables come after every recorded id (added at the end)', () => {
    for (const table of TABLE_NAMES) {
      const old = recorded[table] ?? {}
      const top = Math.max(0, ...Object.values(old))
      for (const c of tableSpec(table).columns)
        if (!(c.name in old))
          expect(c.id, `${table}.${c.name} is new: it must come after the table's recorded columns`).toBeGreaterThan(top)
    }
  })
})
