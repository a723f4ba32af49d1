import { K2Error } from '@k2/core'

/**
 * Checks that `sql` is one read-only statement (SELECT, WITH … SELECT, FROM, VALUES, or a
 * parenthesised query) for engines that cannot report a prepared statement's type (duckdb-wasm).
 * Quotes and comments are skipped, so a `;` inside a string literal is fine.
 */
export function assertSingleSelect(sql: string): void {
  let code = ''
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1)
      i = end < 0 ? sql.length : end // a doubled quote just reopens: same effect on what we look at
      code += ' '
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? sql.length : end
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 1
    } else code += c
  }
  const body = code.trim().replace(/;\s*$/, '')
  if (body.includes(';')) throw new K2Error('VALIDATION', 'only one statement may run through the query layer: remove the ";"')
  if (!/^(\(|select\b|with\b|from\b|values\b)/i.test(body)) {
    throw new K2Error('VALIDATION', 'only SELECT queries may run through the query layer')
  }
}
