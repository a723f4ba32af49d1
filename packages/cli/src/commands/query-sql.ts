import { K2Error, TABLE_NAMES, type TableName } from '@k2/core'
import type { Lake } from '@k2/store'

/** A `--param name[:type]=value`: the value is bound, never put into the SQL text. */
export interface SqlParam {
  name: string
  type: 'string' | 'number' | 'bigint' | 'boolean' | 'time' | 'auto'
  text: string
}

const PARAM_TYPES = ['string', 'number', 'bigint', 'boolean', 'time'] as const
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

/** Parses `p=100`, `sym:string=BTC-USDT`, `t0:time=2026-11-24`; repeated flags accumulate. */
export function paramArg(text: string, previous: SqlParam[] = []): SqlParam[] {
  const eq = text.indexOf('=')
  const head = eq < 0 ? '' : text.slice(0, eq)
  const [name = '', type = 'auto'] = head.split(':')
  if (eq < 0 || !NAME.test(name)) {
    throw new K2Error('VALIDATION', `--param takes name=value or name:type=value (e.g. p=100, sym:string=BTC-USDT), got "${text}"`)
  }
  if (type !== 'auto' && !(PARAM_TYPES as readonly string[]).includes(type)) {
    throw new K2Error('VALIDATION', `--param ${name}: unknown type "${type}"; expected one of ${PARAM_TYPES.join(', ')}`)
  }
  if (previous.some((p) => p.name === name)) throw new K2Error('VALIDATION', `--param ${name} is given twice`)
  return [...previous, { name, type: type as SqlParam['type'], text: text.slice(eq + 1) }]
}

/** The value a param binds as: a number when it reads as one (auto), else the text itself. */
function paramValue(lake: Lake, p: SqlParam): unknown {
  switch (p.type) {
    case 'string':
      return p.text
    case 'number':
    case 'auto': {
      const n = Number(p.text)
      if (NUMBER.test(p.text) && Number.isFinite(n)) return n
      if (p.type === 'auto') return p.text
      throw new K2Error('VALIDATION', `--param ${p.name}:number needs a finite number, got "${p.text}"`)
    }
    case 'bigint':
      if (!/^-?\d+$/.test(p.text)) throw new K2Error('VALIDATION', `--param ${p.name}:bigint needs a whole number, got "${p.text}"`)
      return BigInt(p.text)
    case 'boolean':
      if (p.text !== 'true' && p.text !== 'false')
        throw new K2Error('VALIDATION', `--param ${p.name}:boolean needs true or false, got "${p.text}"`)
      return p.text === 'true'
    case 'time':
      return lake.time(/^\d+$/.test(p.text) ? Number(p.text) : p.text)
  }
}

/** A `{name}` in the SQL text: a table of the lake or a `--param`; `{{` and `}}` are literal braces. */
const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.]*)\}/g

export interface SqlTemplate {
  strings: TemplateStringsArray
  values: unknown[]
  tables: TableName[]
}

/**
 * Turns `select … from {silver.trades} where price > {p}` into the lake's `sql` template: the
 * text between placeholders is the template's literal parts, each `{table}` a `lake.ref(table)`
 * and each `{param}` a bound value — exactly what a tagged template in code passes, so nothing from
 * a `--param` ever becomes SQL text. An unknown placeholder or an unused --param is refused.
 */
export function buildTemplate(lake: Lake, sql: string, params: readonly SqlParam[], asOf?: unknown): SqlTemplate {
  const parts: string[] = []
  const values: unknown[] = []
  const tables: TableName[] = []
  const used = new Set<string>()
  let text = ''
  let last = 0
  for (const m of sql.matchAll(PLACEHOLDER)) {
    text += sql.slice(last, m.index)
    last = m.index + m[0].length
    if (m[0] === '{{' || m[0] === '}}') {
      text += m[0][0]
      continue
    }
    const name = m[1] as string
    const param = params.find((p) => p.name === name)
    if ((TABLE_NAMES as readonly string[]).includes(name)) {
      values.push(lake.ref(name as TableName, asOf as Parameters<Lake['ref']>[1]))
      tables.push(name as TableName)
    } else if (param) {
      values.push(paramValue(lake, param))
      used.add(name)
    } else {
      throw new K2Error(
        'VALIDATION',
        `the SQL names {${name}}, which is neither a table (${TABLE_NAMES.join(', ')}) nor a --param: add --param ${name}=VALUE, or write {{ and }} for literal braces`,
      )
    }
    parts.push(text)
    text = ''
  }
  parts.push(text + sql.slice(last))
  const unused = params.filter((p) => !used.has(p.name)).map((p) => p.name)
  if (unused.length) throw new K2Error('VALIDATION', `--param ${unused.join(', ')} not used: the SQL has no {${unused[0]}}`)
  // What a tagged template passes: a frozen strings array with `raw`. The text is the user's own SQL
  // (the command line is its author, as with `duckdb -c`); every value stays a parameter.
  const strings = Object.freeze(Object.assign([...parts], { raw: Object.freeze([...parts]) })) as unknown as TemplateStringsArray
  return { strings, values, tables }
}
