/**
 * A corpus of hostile inputs built from categories × decorations, so it grows past 1,000 entries
 * without hand-writing each one. Every entry keeps its category for failure messages.
 */
export interface Hostile {
  category: string
  value: unknown
}

const QUOTES = ["'", "''", '"', '`', "\\'", "' OR '1'='1", "' OR 1=1 --", '" OR ""="', "'); DROP TABLE t; --", '\\x27', '%27']
const COMMENTS = ['--', '/*', '*/', '/* */ OR 1=1', '# comment', '-- ; DROP TABLE t']
const STACKED = [
  '; DROP TABLE t',
  '1; DROP TABLE t',
  'LIMIT 1; DROP TABLE t',
  '1; DELETE FROM t',
  "x'; COPY (SELECT 1) TO '/tmp/pwn.csv'; --",
  "'; ATTACH '/tmp/pwn.db' AS pwn; --",
  "'; INSTALL httpfs; LOAD httpfs; --",
  "'; SET memory_limit='1TB'; --",
  "'; PRAGMA disable_checkpoint; --",
  "1 UNION SELECT * FROM read_csv('/etc/passwd')",
  "') UNION ALL SELECT * FROM read_text('/etc/passwd') --",
]
const LOOKALIKES = [
  '\u02bc',
  '\uff07',
  '\u2018',
  '\u2019',
  '\uff02',
  '\u201c',
  'ѕеlесt',
  '\u200b',
  '\u202e',
  '\u0000',
  '\ufeff',
  'BTC\u2010USDT',
  'ＢＴＣ-ＵＳＤＴ',
]
const IDENTIFIERS = ['price; DROP', '"price"', 'price--', 't.price', '*', '1', 'PRICE', 'price ', ' price', 'price"', 'count(*)', 'ts AS x']
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf']
const KEYWORDS = ['SELECT', 'DROP', 'read_parquet', "read_csv('/etc/passwd')", 'getvariable', '$1', '?', ':name', '$$ $$']
const PATHS = ['/etc/passwd', '../../secret', '*.parquet', '/tmp/**/*.parquet', 'http://evil.example/x.parquet', 's3://bucket/x']

const STRINGS: [string, string[]][] = [
  ['quote', QUOTES],
  ['comment', COMMENTS],
  ['stacked', STACKED],
  ['lookalike', LOOKALIKES],
  ['identifier', IDENTIFIERS],
  ['proto', PROTO],
  ['keyword', KEYWORDS],
  ['path', PATHS],
]

const DECORATIONS: ((s: string) => string)[] = [
  (s) => s,
  (s) => `BTC-USDT${s}`,
  (s) => `${s} --`,
  (s) => `${s}${s}${s}`,
  (s) => s.toUpperCase(),
  (s) => `\n${s}\r\n`,
  (s) => `${s}\u0000`,
  (s) => `${s};`,
  (s) => `'${s}'`,
  (s) => `1 ${s} 1`,
  (s) => `${s} OR 1=1`,
]

const NUMBERS: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0.5,
  0.5,
  1.5,
  -0,
  1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 64,
  -(2 ** 63),
  Number('9007199254740993'),
  10n ** 30n,
  -(10n ** 30n),
]

const ODD: unknown[] = [
  undefined,
  null,
  true,
  {},
  [],
  [1, 'a'],
  { toString: () => "'; DROP TABLE t; --" },
  { valueOf: () => 1 },
  Object.create(null),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  () => 'DROP TABLE t',
  Symbol('x'),
  new Date(Number.NaN),
  { kind: 'ref', table: 'silver.trades', asOf: null },
  { kind: 'time', micros: 0 },
  { kind: 'value', value: "'; DROP TABLE t" },
  'x'.repeat(70_000),
]

/** The whole corpus (> 1,000 entries). */
export function hostileCorpus(): Hostile[] {
  const out: Hostile[] = []
  for (const [category, list] of STRINGS) for (const s of list) for (const d of DECORATIONS) out.push({ category, value: d(s) })
  for (const v of NUMBERS) out.push({ category: 'number', value: v }, { category: 'numeric-string', value: String(v) })
  for (const v of ODD) out.push({ category: 'odd', value: v })
  // Pairs of categories glued together widen the net (quote + stacked, look-alike + comment…).
  const flat = STRINGS.flatMap(([, l]) => l)
  for (let i = 0; i < flat.length; i++) out.push({ category: 'combined', value: `${flat[i]}${flat[(i * 7 + 3) % flat.length]}` })
  for (let i = 0; i < flat.length; i++) out.push({ category: 'combined', value: `${flat[(i * 5 + 1) % flat.length]} ${flat[i]}` })
  return out
}
