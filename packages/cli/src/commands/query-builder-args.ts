import { K2Error, TABLE_SCHEMAS, type TableName, toMicros } from '@k2/core'

/** One `--where`: `column<op>value`, ops `=`, `!=`, `>`, `>=`, `<`, `<=`; `=a,b` is IN, `!=a,b` NOT IN. */
export interface WhereArg {
  column: string
  op: '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'not in'
  text: string
}

const WHERE = /^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)(.*)$/s

export function whereArg(text: string, previous: WhereArg[] = []): WhereArg[] {
  const m = WHERE.exec(text)
  if (!m) {
    throw new K2Error(
      'VALIDATION',
      `--where takes column<op>value with op one of = != > >= < <= (e.g. exchange=binance, price>=100, symbol=BTC-USDT,ETH-USDT), got "${text}"`,
    )
  }
  const [, column = '', op = '=', value = ''] = m
  const list = (op === '=' || op === '!=') && value.includes(',')
  return [...previous, { column, op: list ? (op === '=' ? 'in' : 'not in') : (op as WhereArg['op']), text: value }]
}

/** The column's spec, or VALIDATION listing the table's columns. */
export function columnOf(table: TableName, column: string): { name: string; type: string } {
  const c = (TABLE_SCHEMAS[table] as readonly { name: string; type: string }[]).find((x) => x.name === column)
  if (c) return c
  const names = TABLE_SCHEMAS[table].map((x) => x.name).join(', ')
  throw new K2Error('VALIDATION', `${table} has no column "${column}": its columns are ${names}`)
}

/** A value typed for its column: numbers for numeric columns, epoch µs for times, true/false for booleans. */
export function typedValue(table: TableName, column: string, text: string): unknown {
  const { type } = columnOf(table, column)
  const bad = (what: string) =>
    new K2Error('VALIDATION', `--where ${column}: ${table}.${column} is ${type}, so the value must be ${what} (got "${text}")`)
  switch (type) {
    case 'double':
    case 'long':
    case 'int': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) throw bad('a number')
      if (type !== 'double' && !Number.isSafeInteger(n)) throw bad('a whole number')
      return n
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad('true or false')
      return text === 'true'
    case 'timestamptz':
      try {
        return toMicros(/^\d+$/.test(text) ? Number(text) : text)
      } catch {
        throw bad('a time such as 2026-11-24, 2026-11-24T12:00:00Z or epoch µs')
      }
    default:
      return text
  }
}

/** An `--agg` item: `fn(column)` or `alias=fn(column)`; the preset `ohlcv` expands to six. */
export interface AggArg {
  alias: string
  fn: 'count' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last'
  column: string | null
}

const AGG = /^(?:([A-Za-z_][A-Za-z0-9_]*)=)?(count|count_distinct|sum|avg|min|max|first|last)\(([A-Za-z_][A-Za-z0-9_]*|\*)?\)$/

export const OHLCV_PRESET: readonly AggArg[] = [
  { alias: 'open', fn: 'first', column: 'price' },
  { alias: 'high', fn: 'max', column: 'price' },
  { alias: 'low', fn: 'min', column: 'price' },
  { alias: 'close', fn: 'last', column: 'price' },
  { alias: 'volume', fn: 'sum', column: 'qty' },
  { alias: 'trades', fn: 'count', column: null },
]

export function aggArg(text: string, previous: AggArg[] = []): AggArg[] {
  const out = [...previous]
  for (const item of text
    .split(/,(?![^(]*\))/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === 'ohlcv') {
      out.push(...OHLCV_PRESET)
      continue
    }
    if (item === 'count') {
      out.push({ alias: 'count', fn: 'count', column: null })
      continue
    }
    const m = AGG.exec(item)
    if (!m) {
      throw new K2Error(
        'VALIDATION',
        `--agg takes ohlcv, count, or fn(column) / alias=fn(column) with fn one of count, count_distinct, sum, avg, min, max, first, last (e.g. vwap=avg(price)), got "${item}"`,
      )
    }
    const [, alias, fn = 'count', column] = m
    const col = column === undefined || column === '*' ? null : column
    if (col === null && fn !== 'count') throw new K2Error('VALIDATION', `--agg ${fn}() needs a column, e.g. ${fn}(price)`)
    const name = fn === 'count_distinct' ? 'countDistinct' : (fn as AggArg['fn'])
    out.push({ alias: alias ?? (col ? `${fn}_${col}` : fn), fn: name, column: col })
  }
  return out
}

/** `--order-by ts` or `--order-by price:desc`; repeated flags and commas accumulate. */
export function orderArg(text: string, previous: { key: string; dir: 'asc' | 'desc' }[] = []) {
  const out = [...previous]
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key = '', dir = 'asc'] = item.split(':')
    if (dir !== 'asc' && dir !== 'desc') throw new K2Error('VALIDATION', `--order-by ${item}: the direction is asc or desc (e.g. ts:desc)`)
    out.push({ key, dir })
  }
  return out
}

/** The table's time column (its first timestamptz column, as the query layer picks): --from/--to filter it. */
export function timeColumnOf(table: TableName): string {
  const c = (TABLE_SCHEMAS[table] as readonly { name: string; type: string }[]).find((x) => x.type === 'timestamptz')
  if (!c) throw new K2Error('VALIDATION', `${table} has no time column: filter it with --where instead of --from/--to`)
  return c.name
}
