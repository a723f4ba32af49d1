import { displayTable, escapeHtml, JUPYTER_DISPLAY, K2Error, type MimeBundle, renderRecord, renderTable, withDisplay } from '@k2/core'
import { describe, expect, it } from 'vitest'

const show = (value: object): MimeBundle => (value as { [JUPYTER_DISPLAY]: () => MimeBundle })[JUPYTER_DISPLAY]()
/** The text of each `<td>` of the body, in order. */
const bodyCells = (htmlText: string) =>
  [...(htmlText.split('<tbody>')[1]?.split('</tbody>')[0] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1])

describe('renderTable', () => {
  it('renders a header and one row per object, columns in the order first seen', () => {
    const out = renderTable([
      { symbol: 'BTC-USD', price: 65000.5 },
      { symbol: 'ETH-USD', qty: 2 },
    ])
    expect(out['text/html']).toContain('<thead><tr><th>symbol</th><th>price</th><th>qty</th></tr></thead>')
    expect(bodyCells(out['text/html'])).toEqual(['BTC-USD', '65000.5', '', 'ETH-USD', '', '2'])
    expect(out['text/plain']).toBe(
      ['symbol   price    qty', '-------  -------  ---', 'BTC-USD  65000.5', 'ETH-USD             2'].join('\n'),
    )
  })

  it('escapes & < > " \' in values, column names and the caption', () => {
    const out = renderTable([{ '<b>col</b>': `<script>alert("x")</script> & 'y'` }], { caption: 'a < b & "c"' })
    const html = out['text/html']
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<b>')
    expect(html).toContain('<th>&lt;b&gt;col&lt;/b&gt;</th>')
    expect(bodyCells(html)).toEqual(['&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;'])
    expect(html).toContain('a &lt; b &amp; &quot;c&quot;</caption>')
    // plain text is not HTML: nothing is escaped there
    expect(out['text/plain']).toContain(`<script>alert("x")</script> & 'y'`)
    expect(escapeHtml(`&amp;<>"'`)).toBe('&amp;amp;&lt;&gt;&quot;&#39;')
  })

  it('shows the first maxRows rows, then how many more there are', () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ i }))
    const out = renderTable(rows, { maxRows: 3 })
    expect(bodyCells(out['text/html'])).toEqual(['0', '1', '2'])
    expect(out['text/html']).toContain('<tfoot><tr><td colspan="1">… 22 more rows (25 in all)</td></tr></tfoot>')
    expect(out['text/plain'].split('\n')).toEqual(['i', '-', '0', '1', '2', '… 22 more rows (25 in all)'])
    // the default bound is 20 rows
    expect(bodyCells(renderTable(rows)['text/html'])).toHaveLength(20)
    expect(renderTable(rows)['text/plain']).toContain('… 5 more rows (25 in all)')
    expect(renderTable(rows.slice(0, 4), { maxRows: 3 })['text/plain']).toContain('… 1 more row (4 in all)')
  })

  it('counts rows that were never handed over when totalRows says so', () => {
    const out = renderTable([{ a: 1 }, { a: 2 }], { totalRows: 1_000_000 })
    expect(bodyCells(out['text/html'])).toEqual(['1', '2'])
    expect(out['text/plain']).toContain('… 999998 more rows (1000000 in all)')
  })

  it('tells null and undefined from the strings "null" and "undefined", and from a missing key', () => {
    const out = renderTable([{ a: null, b: undefined, c: 'null' }, { c: 'undefined' }])
    const html = out['text/html']
    expect(html).toContain('<td style="color:#888;font-style:italic">null</td>')
    expect(html).toContain('<td style="color:#888;font-style:italic">undefined</td>')
    expect(html).toContain('<td>null</td>')
    expect(html).toContain('<td>undefined</td>')
    expect(html).toContain('<td style="color:#888;font-style:italic"></td>') // row 2 has no a, b
    expect(bodyCells(html)).toEqual(['null', 'undefined', 'null', '', '', 'undefined'])
  })

  it('writes bigints in full (snapshot ids do not fit a number) and right-aligns numbers', () => {
    const id = 9_223_372_036_854_775_807n
    const out = renderTable([
      { snapshotId: id, n: 7 },
      { snapshotId: -1n, n: 1234 },
    ])
    expect(bodyCells(out['text/html'])).toEqual(['9223372036854775807', '7', '-1', '1234'])
    expect(out['text/html']).toContain('<td style="text-align:right">9223372036854775807</td>')
    expect(out['text/plain'].split('\n').slice(2)).toEqual(['9223372036854775807     7', '                 -1  1234'])
  })

  it('shows Dates as ISO-8601 and micros columns as exact ISO times', () => {
    const out = renderTable(
      [
        { at: new Date('2026-01-05T12:00:00.123Z'), start: 1767614400000001, n: 1767614400000001 },
        { at: new Date(Number.NaN), start: 1.5, n: 0 },
      ],
      { micros: ['start'] },
    )
    expect(bodyCells(out['text/html'])).toEqual([
      '2026-01-05T12:00:00.123Z',
      '2026-01-05T12:00:00.000001Z',
      '1767614400000001', // not listed in micros: a number
      'Invalid Date',
      '1.5', // not a whole number of µs: shown as it is
      '0',
    ])
  })

  it('shows nested objects and arrays as JSON, with bigints, Maps and Sets spelled out', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    const out = renderTable([
      { v: { tables: [{ table: 'silver.trades', snapshotId: 12n }] } },
      { v: [1, 'two', null] },
      { v: new Map([['k', new Set([1, 2])]]) },
      { v: cyclic },
      { v: () => 1 },
    ])
    expect(bodyCells(out['text/html'])).toEqual([
      '{&quot;tables&quot;:[{&quot;table&quot;:&quot;silver.trades&quot;,&quot;snapshotId&quot;:&quot;12&quot;}]}',
      '[1,&quot;two&quot;,null]',
      '{&quot;k&quot;:[1,2]}',
      '[object Object]',
      '[function v]',
    ])
  })

  it('cuts long cells, and keeps each row on one line in plain text', () => {
    const out = renderTable([{ sql: `SELECT *\nFROM t\tWHERE ${'x'.repeat(300)}` }], { maxCellChars: 30 })
    const [cell] = bodyCells(out['text/html'])
    expect(cell).toBe(`SELECT *\nFROM t\tWHERE ${'x'.repeat(8)}…`)
    expect(out['text/plain'].split('\n')[2]).toBe(`SELECT * FROM t WHERE ${'x'.repeat(8)}…`)
  })

  it('puts rows that are not objects in a "value" column', () => {
    const out = renderTable([1, 'a', null, new Date(0)])
    expect(out['text/html']).toContain('<th>value</th>')
    expect(bodyCells(out['text/html'])).toEqual(['1', 'a', 'null', '1970-01-01T00:00:00.000Z'])
  })

  it('says so when there are no rows, with the columns when they are known', () => {
    expect(renderTable([])['text/plain']).toBe('(no rows)')
    const out = renderTable([], { columns: ['start', 'open'] })
    expect(out['text/html']).toContain('<th>start</th><th>open</th>')
    expect(out['text/html']).toContain('<td colspan="2">(no rows)</td>')
  })

  it('refuses a bound that is not a whole number ≥ 0', () => {
    expect(() => renderTable([], { maxRows: -1 })).toThrow(K2Error)
    expect(() => renderTable([], { maxCellChars: 1.5 })).toThrow(/maxCellChars must be a whole number/)
  })
})

describe('renderRecord', () => {
  it('shows the fields of one object as field/value rows', () => {
    const out = renderRecord(
      { fingerprint: 'f81d', tables: [{ table: 'silver.trades', snapshotId: '23' }], at: 1767614400000000 },
      { micros: ['at'] },
    )
    expect(out['text/html']).toContain('<th>field</th><th>value</th>')
    expect(bodyCells(out['text/html'])).toEqual([
      'fingerprint',
      'f81d',
      'tables',
      '[{&quot;table&quot;:&quot;silver.trades&quot;,&quot;snapshotId&quot;:&quot;23&quot;}]',
      'at',
      '2026-01-05T12:00:00.000000Z',
    ])
  })
})

describe('withDisplay and displayTable', () => {
  it('attaches a display method under Symbol.for("Jupyter.display") that returns the bundle', async () => {
    expect(JUPYTER_DISPLAY).toBe(Symbol.for('Jupyter.display'))
    const plan = withDisplay({ sql: 'SELECT 1' }, function () {
      return { 'text/html': `<pre>${escapeHtml(this.sql)}</pre>`, 'text/plain': this.sql }
    })
    expect(show(plan)).toEqual({ 'text/html': '<pre>SELECT 1</pre>', 'text/plain': 'SELECT 1' })
    const later = withDisplay({}, async () => ({ 'text/html': '<i>x</i>', 'text/plain': 'x' }))
    expect(await show(later)).toEqual({ 'text/html': '<i>x</i>', 'text/plain': 'x' })
  })

  it('leaves the object as it was: same identity, keys, JSON, spread and equality', () => {
    const rows = [{ a: 1 }, { a: 2 }]
    const same = displayTable(rows)
    expect(same).toBe(rows)
    expect(Object.keys(rows)).toEqual(['0', '1'])
    expect(JSON.stringify(rows)).toBe('[{"a":1},{"a":2}]')
    expect(Object.getOwnPropertySymbols({ ...rows })).toEqual([])
    expect(rows).toEqual([{ a: 1 }, { a: 2 }])
    expect(Object.getOwnPropertyDescriptor(rows, JUPYTER_DISPLAY)?.enumerable).toBe(false)
  })

  it('renders the rows as they are when displayed, with the options given', () => {
    const rows: { start: number }[] = []
    displayTable(rows, { micros: ['start'], maxRows: 1 })
    expect(show(rows)['text/plain']).toBe('(no rows)')
    rows.push({ start: 0 }, { start: 60_000_000 })
    expect(bodyCells(show(rows)['text/html'])).toEqual(['1970-01-01T00:00:00.000000Z'])
    expect(show(rows)['text/plain']).toContain('… 1 more row (2 in all)')
  })

  it('replaces an earlier display method, and refuses a frozen object', () => {
    const o = withDisplay({}, () => ({ 'text/html': 'one', 'text/plain': 'one' }))
    withDisplay(o, () => ({ 'text/html': 'two', 'text/plain': 'two' }))
    expect(show(o)['text/plain']).toBe('two')
    expect(() => displayTable(Object.freeze([{ a: 1 }]))).toThrow(/frozen or sealed/)
  })
})
