import type { Exchange } from '@k2/core'
import type { SimProtocol } from './protocols/protocol.js'
import type { TapeTrade } from './tape.js'

/**
 * Frames that no feed may read as a trade, each built from a well-formed trade frame that carries the
 * exchange's *next* real trade id (so a feed that accepted one would then drop the real trade as a
 * repeat). Every kind is invalid for the exchange's documented protocol and must end in the dead letter.
 */
export const HOSTILE_KINDS = [
  // Depth: values and frames nested far deeper than any protocol uses.
  'deep-array-id',
  'deep-array-price',
  'deep-object-qty',
  'deep-frame',
  // Numbers outside the decimal grammar, or outside what a price or size can be.
  'hex-price',
  'binary-price',
  'octal-price',
  'leading-space-price',
  'trailing-space-price',
  'infinity-price',
  'nan-price',
  'overflow-price',
  'empty-price',
  'separator-price',
  'plus-price',
  'bare-fraction-price',
  'trailing-dot-price',
  'comma-price',
  'negative-price',
  'zero-qty',
  'fullwidth-price',
  'surrogate-price',
  // Wrong JSON types.
  'wrong-type-price',
  'null-qty',
  'bool-price',
  // Ids that are not the protocol's non-negative integers.
  'negative-id',
  'fractional-id',
  'unsafe-id',
  'string-id',
  // Other fields.
  'bad-side',
  'bad-time',
  'missing-price',
  'unknown-symbol',
  'huge-field',
  // Frames that are not JSON objects of the protocol, or not text.
  'garbage',
  'truncated',
  'bom',
  'control-char',
  'array-wrapped',
  'scalar-frame',
  'binary-garbage',
  'invalid-utf8',
] as const

export type HostileKind = (typeof HOSTILE_KINDS)[number]

/** Where one protocol's trade frame keeps the fields an adapter reads. */
interface TradeFields {
  price: string
  qty: string
  id: string
  side: string
  time: string
  /** The field naming the symbol (Bitstamp: the channel). */
  symbol: string
  unknownSymbol: string
  badSide: string
  badTime: string
  /** Prices and sizes are JSON strings (false: JSON numbers, Kraken v2). */
  decimalsQuoted: boolean
  /** Trade ids are strings of digits (Coinbase). */
  idQuoted: boolean
}

const FIELDS: Record<Exchange, TradeFields> = {
  binance: {
    price: 'p',
    qty: 'q',
    id: 't',
    side: 'm',
    time: 'T',
    symbol: 's',
    unknownSymbol: '"QQQQ"',
    badSide: '"yes"',
    badTime: '"soon"',
    decimalsQuoted: true,
    idQuoted: false,
  },
  kraken: {
    price: 'price',
    qty: 'qty',
    id: 'trade_id',
    side: 'side',
    time: 'timestamp',
    symbol: 'symbol',
    unknownSymbol: '"QQQQ"',
    badSide: '"middle"',
    badTime: '"2026-13-45T99:00:00Z"',
    decimalsQuoted: false,
    idQuoted: false,
  },
  coinbase: {
    price: 'price',
    qty: 'size',
    id: 'trade_id',
    side: 'side',
    time: 'time',
    symbol: 'product_id',
    unknownSymbol: '"qqq"',
    badSide: '"HOLD"',
    badTime: '"2026-13-45T99:00:00Z"',
    decimalsQuoted: true,
    idQuoted: true,
  },
  bitstamp: {
    price: 'price_str',
    qty: 'amount_str',
    id: 'id',
    side: 'type',
    time: 'microtimestamp',
    symbol: 'channel',
    unknownSymbol: '"live_trades_qqqqqq"',
    badSide: '2',
    badTime: '"1641343721.5"',
    decimalsQuoted: true,
    idQuoted: false,
  },
}

const VALUE = '("(?:[^"\\\\]|\\\\.)*"|[^,}\\]]*)'
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
const DEPTH = 20_000

/** The frame with the first `"key":value` replaced by `"key":text` (`undefined`: the pair removed). */
function setField(frame: string, key: string, text: string | undefined): string {
  const pair = new RegExp(`"${key}":${VALUE}(,?)`)
  return frame.replace(pair, (_all, _value, comma: string) => (text === undefined ? '' : `"${key}":${text}${comma}`))
}

/**
 * A hostile frame of `kind` for `exchange`, built from `trade` (give it the symbol's next real id).
 * Text frames come back as strings, binary frames as bytes.
 */
export function hostileFrame(kind: HostileKind, exchange: Exchange, protocol: SimProtocol, trade: TapeTrade): string | Uint8Array {
  const good = protocol.trades({ subscribed: new Set([trade.symbol]), sequence: 0, heartbeats: false }, [trade])[0] ?? '{}'
  const f = FIELDS[exchange]
  const id = exchange === 'binance' && good.includes('"aggTrade"') ? 'a' : f.id
  const decimal = (text: string) => (f.decimalsQuoted ? JSON.stringify(text) : text)
  // Whitespace around a JSON number is JSON's own: only inside a string is it part of the value.
  const spaced = (text: string) => setField(good, f.price, JSON.stringify(text))
  const price = (text: string) => setField(good, f.price, decimal(text))
  const idText = (text: string) => setField(good, id, f.idQuoted ? JSON.stringify(text) : text)
  switch (kind) {
    case 'deep-array-id':
      return setField(good, id, deep(DEPTH))
    case 'deep-array-price':
      return setField(good, f.price, deep(DEPTH))
    case 'deep-object-qty':
      return setField(good, f.qty, `${'{"x":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`)
    case 'deep-frame':
      return deep(5 * DEPTH)
    case 'hex-price':
      return price('0x1F4')
    case 'binary-price':
      return price('0b111')
    case 'octal-price':
      return price('0o17')
    case 'leading-space-price':
      return spaced(` ${trade.priceText}`)
    case 'trailing-space-price':
      return spaced(`${trade.priceText} `)
    case 'infinity-price':
      return price('Infinity')
    case 'nan-price':
      return price('NaN')
    case 'overflow-price':
      return price('1e999')
    case 'empty-price':
      return price('')
    case 'separator-price':
      return price('1_000')
    case 'plus-price':
      return price(`+${trade.priceText}`)
    case 'bare-fraction-price':
      return price('.5')
    case 'trailing-dot-price':
      return price('5.')
    case 'comma-price':
      return price('1,5')
    case 'negative-price':
      return price(`-${trade.priceText}`)
    case 'zero-qty':
      return setField(good, f.qty, decimal('0'))
    case 'fullwidth-price':
      return price('６５０００')
    case 'surrogate-price':
      // A JSON escape of a lone surrogate: valid JSON text, not a number.
      return setField(good, f.price, f.decimalsQuoted ? '"\\ud800"' : '\\ud800')
    case 'wrong-type-price':
      return setField(good, f.price, f.decimalsQuoted ? trade.priceText : JSON.stringify(trade.priceText))
    case 'null-qty':
      return setField(good, f.qty, 'null')
    case 'bool-price':
      return setField(good, f.price, 'true')
    case 'negative-id':
      return idText(`-${trade.id}`)
    case 'fractional-id':
      return idText(`${trade.id}.5`)
    case 'unsafe-id':
      return idText('18446744073709551616')
    case 'string-id':
      return f.idQuoted ? idText(`${trade.id}abc`) : setField(good, id, JSON.stringify(String(trade.id)))
    case 'bad-side':
      return setField(good, f.side, f.badSide)
    case 'bad-time':
      return setField(good, f.time, f.badTime)
    case 'missing-price':
      return setField(good, f.price, undefined)
    case 'unknown-symbol':
      return setField(good, f.symbol, f.unknownSymbol)
    case 'huge-field':
      return setField(good, f.side, JSON.stringify('x'.repeat(256 * 1024)))
    case 'garbage':
      return '{"this is": not json'
    case 'truncated':
      return good.slice(0, Math.floor(good.length / 2))
    case 'bom':
      return `\uFEFF${good}`
    case 'control-char':
      // A raw control character inside a string: not valid JSON.
      return good.replace(`"${f.symbol}":"`, `"${f.symbol}":"\u0001`)
    case 'array-wrapped':
      return `[${good},${good}]`
    case 'scalar-frame':
      return String(trade.id)
    case 'binary-garbage':
      return garbageBytes(trade.id)
    case 'invalid-utf8':
      return invalidUtf8(good, good.indexOf(`"${f.price}":`) + f.price.length + (f.decimalsQuoted ? 5 : 4))
  }
}

/** Bytes that decode to no JSON: a stray 0xFF first, then noise from the trade id. */
function garbageBytes(seed: number): Uint8Array {
  const bytes = new Uint8Array(64)
  let x = seed >>> 0 || 1
  bytes[0] = 0xff
  for (let i = 1; i < bytes.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  return bytes
}

/** The frame's UTF-8 bytes with an invalid sequence (0xC3 0x28) at `at` (inside the price). */
function invalidUtf8(frame: string, at: number): Uint8Array {
  const head = new TextEncoder().encode(frame.slice(0, at))
  const tail = new TextEncoder().encode(frame.slice(at))
  const out = new Uint8Array(head.length + 2 + tail.length)
  out.set(head)
  out.set([0xc3, 0x28], head.length)
  out.set(tail, head.length + 2)
  return out
}
