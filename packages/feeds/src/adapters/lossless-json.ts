/**
 * A JSON reader that keeps numbers as their text. Kraken v2 prints book prices and sizes as JSON numbers
 * with the pair's full precision (`0.12290`, `0.00000000`), and its CRC32 is computed on that text:
 * `JSON.parse` would turn them into `0.1229` and `0`. Strict RFC 8259 (what JSON.parse accepts, no more),
 * nesting bounded, and strings decoded by JSON.parse itself; it throws `FieldError` on anything else.
 */
import { FieldError } from './fields.js'

/** A JSON number as written on the wire. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text)
  }
}

const MAX_DEPTH = 32
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
// The body of a string: any characters but quote, backslash and controls, or valid escapes.
const STRING_SOURCE = '"(?:[^"\\\\\\u0000-\\u001f]|\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
const STRING = new RegExp(STRING_SOURCE, 'y')

export function parseLossless(text: string): unknown {
  const r = new Reader(text)
  r.ws()
  const value = r.value(0)
  r.ws()
  if (r.i !== text.length) r.fail('unexpected text after the JSON value')
  return value
}

class Reader {
  i = 0
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new FieldError(`frame is not valid JSON (${why} at ${this.i})`)
  }

  ws(): void {
    const s = this.s
    for (;;) {
      const c = s.charCodeAt(this.i)
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++
      else return
    }
  }

  value(depth: number): unknown {
    const c = this.s.charCodeAt(this.i)
    if (c === 123) return this.object(depth + 1)
    if (c === 91) return this.array(depth + 1)
    if (c === 34) return this.string()
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = this.i
      const m = NUMBER.exec(this.s)
      if (m === null) this.fail('bad number')
      this.i += m[0].length
      return new JsonNumber(m[0])
    }
    for (const [word, v] of WORDS) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length
        return v
      }
    }
    return this.fail('unexpected character')
  }

  private string(): string {
    STRING.lastIndex = this.i
    const m = STRING.exec(this.s)
    if (m === null) this.fail('bad string')
    this.i += m[0].length
    return m[0].indexOf('\\') < 0 ? m[0].slice(1, -1) : (JSON.parse(m[0]) as string)
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail('nested too deep')
    this.i++
    // No prototype: a key such as "__proto__" is just a key.
    const out: Record<string, unknown> = Object.create(null)
    this.ws()
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      if (this.s.charCodeAt(this.i) !== 34) this.fail('expected a key')
      const key = this.string()
      this.ws()
      if (this.s.charCodeAt(this.i) !== 58) this.fail('expected ":"')
      this.i++
      this.ws()
      out[key] = this.value(depth)
      this.ws()
      const c = this.s.charCodeAt(this.i++)
      if (c === 125) return out
      if (c !== 44) this.fail('expected "," or "}"')
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) this.fail('nested too deep')
    this.i++
    const out: unknown[] = []
    this.ws()
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      out.push(this.value(depth))
      this.ws()
      const c = this.s.charCodeAt(this.i++)
      if (c === 93) return out
      if (c !== 44) this.fail('expected "," or "]"')
    }
  }
}

const WORDS: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['null', null],
]
