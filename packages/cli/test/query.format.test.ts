import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ResultSet } from '../src/format/cells.js'
import { csvLines } from '../src/format/csv.js'
import { renderTable } from '../src/format/table.js'

const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a,b', 'say "hi"', ' lead', 'trail ', 'two\nlines', 'cr\r\nlf', ''))

describe('result writers', () => {
  it('CSV reads back through DuckDB read_csv exactly as written (quotes, commas, line breaks, edge spaces)', async () => {
    const rows = fc.sample(fc.tuple(cell, cell, fc.double({ noNaN: true, noDefaultInfinity: true })), { numRuns: 300, seed: 42 })
    const set: ResultSet = {
      columns: ['a', 'b', 'x'],
      timeColumns: new Set(),
      rows: rows.map(([a, b, x]) => ({ a, b, x })),
    }
    const dir = mkdtempSync(join(tmpdir(), 'k2-csv-'))
    const file = join(dir, 'out.csv')
    writeFileSync(file, `${[...csvLines(set, 'iso')].join('\n')}\n`)
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      const sql = `select a, b, x from read_csv('${file}', header = true, all_varchar = true, quote = '"', escape = '"', delim = ',', strict_mode = false)`
      const back = (await conn.runAndReadAll(sql)).getRowObjects()
      expect(back).toHaveLength(rows.length)
      back.forEach((r, i) => {
        const [a, b, x] = rows[i] as [string, string, number]
        // an empty unquoted field is NULL in DuckDB: K2 writes null and '' the same way (documented)
        expect(r.a ?? '').toBe(a)
        expect(r.b ?? '').toBe(b)
        expect(Number(r.x)).toBe(x)
      })
    } finally {
      conn.closeSync()
      db.closeSync()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('every line of a table is as wide as the box, whatever the cells hold, and fits the terminal when it can', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, fc.integer(), fc.option(cell)), { maxLength: 60 }),
        fc.integer({ min: 20, max: 200 }),
        (rows, columns) => {
          const set: ResultSet = {
            columns: ['name', 'n', 'note'],
            timeColumns: new Set(),
            rows: rows.map(([name, n, note]) => ({ name, n, note })),
          }
          const lines = renderTable(set, { columns, times: 'iso' })
          const box = lines.slice(0, -1)
          const width = [...(box[0] ?? '')].length
          for (const l of box) expect([...l].length).toBe(width)
          expect(box.every((l) => !l.includes('\n') && !l.includes('\r'))).toBe(true)
          if (width > columns) expect(lines.at(-1)).toMatch(/not shown|columns$/)
        },
      ),
      { numRuns: 200 },
    )
  })
})
