// A small seeded fuzzer for frames: random JSON in each protocol's vocabulary and mutations of real
// frames. Hand-rolled on the simulator's mulberry32, so a seed always gives the same inputs.
import { mulberry32 } from '../src/testing/tape.js'

/** How much to fuzz: `K2_FUZZ_SCALE=20 npx vitest run packages/feeds/test/*fuzz*` for a longer run. */
export const FUZZ_SCALE = Math.max(1, Number(process.env.K2_FUZZ_SCALE ?? 1) || 1)

export type Rand = () => number

export function rng(seed: number): Rand {
  return mulberry32(seed)
}

export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
const int = (rand: Rand, n: number) => Math.floor(rand() * n)

/** Keys and strings the four protocols use, so random values reach deep into the parsers. */
const KEYS = [
  'stream',
  'data',
  'e',
  'E',
  's',
  't',
  'a',
  'p',
  'q',
  'T',
  'm',
  'M',
  'result',
  'id',
  'code',
  'msg',
  'error',
  'channel',
  'type',
  'symbol',
  'side',
  'price',
  'qty',
  'trade_id',
  'timestamp',
  'method',
  'success',
  'events',
  'trades',
  'product_id',
  'size',
  'time',
  'subscriptions',
  'market_trades',
  'event',
  'price_str',
  'amount_str',
  'microtimestamp',
]
const STRINGS = [
  'trade',
  'aggTrade',
  'update',
  'snapshot',
  'market_trades',
  'heartbeats',
  'subscriptions',
  'status',
  'subscribe',
  'pong',
  'bts:subscription_succeeded',
  'bts:request_reconnect',
  'serverShutdown',
  'live_trades_btcusd',
  'btcusdt@trade',
  'BTCUSDT',
  'BTC/USD',
  'BTC-USD',
  'buy',
  'sell',
  'BUY',
  'SELL',
  '65000.5',
  '0.001',
  '0x1F4',
  ' 1',
  '1e5',
  '',
  '2026-01-05T12:00:00.123456Z',
  '1767614400123000',
  '12345',
]
const NUMBERS = ['0', '1', '-1', '65000.5', '0.00000001', '1e-7', '12345', '1767614400123', '9007199254740993', '1e999', '-0', '1.5']

/** A random JSON text: nested objects and arrays of the protocols' keys, strings and numbers. */
export function randomJson(rand: Rand, depth = 0): string {
  const r = rand()
  if (depth > 5 || r < 0.3) {
    const s = rand()
    if (s < 0.4) return JSON.stringify(pick(rand, STRINGS))
    if (s < 0.8) return pick(rand, NUMBERS)
    return pick(rand, ['true', 'false', 'null'])
  }
  if (r < 0.32) {
    const n = 1 + int(rand, 30_000) // nesting far deeper than any protocol's
    return `${'['.repeat(n)}${']'.repeat(n)}`
  }
  const n = int(rand, 6)
  if (r < 0.6) return `[${Array.from({ length: n }, () => randomJson(rand, depth + 1)).join(',')}]`
  return `{${Array.from({ length: n }, () => `${JSON.stringify(pick(rand, KEYS))}:${randomJson(rand, depth + 1)}`).join(',')}}`
}

const CHARS = [
  '0',
  '1',
  '9',
  '.',
  '-',
  '+',
  'e',
  'E',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  'x',
  '\u0000',
  '\u00ff',
  '\ud800',
  'Z',
  'T',
]
const TOKENS = ['0x1F4', '1e999', '-0', '00', '1.', '.1', 'NaN', 'Infinity', '"x"', 'null', '[[[[[[[[]]]]]]]]', '{"x":1}', '1_000', '0b1']

/** A real frame with 1 to 3 random edits: characters changed, inserted, deleted, tokens swapped, cuts, splices. */
export function mutate(rand: Rand, frame: string, others: readonly string[]): string {
  let f = frame
  for (let k = 1 + int(rand, 3); k > 0; k--) {
    const at = int(rand, f.length + 1)
    switch (int(rand, 8)) {
      case 0:
        f = f.slice(0, at) + pick(rand, CHARS) + f.slice(at + 1)
        break
      case 1:
        f = f.slice(0, at) + pick(rand, CHARS) + f.slice(at)
        break
      case 2:
        f = f.slice(0, at) + f.slice(at + 1 + int(rand, 4))
        break
      case 3: {
        // Replace one number or string token.
        const tokens = [...f.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)]
        const t = tokens.length > 0 ? pick(rand, tokens) : undefined
        if (t?.index !== undefined) f = f.slice(0, t.index) + pick(rand, TOKENS) + f.slice(t.index + t[0].length)
        break
      }
      case 4: {
        // A digit changed: the frame stays valid, with another value.
        const digits = [...f.matchAll(/\d/g)]
        const d = digits.length > 0 ? pick(rand, digits) : undefined
        if (d?.index !== undefined) f = f.slice(0, d.index) + String(int(rand, 10)) + f.slice(d.index + 1)
        break
      }
      case 5:
        f = f.slice(0, at)
        break
      case 6: {
        const other = pick(rand, others)
        f = f.slice(0, at) + other.slice(int(rand, other.length))
        break
      }
      default: {
        const len = int(rand, 40)
        f = f.slice(0, at) + f.slice(at, at + len) + f.slice(at)
      }
    }
  }
  return f
}
