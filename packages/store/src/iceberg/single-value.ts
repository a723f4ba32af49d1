import type { ColumnType, Scalar } from '@k2/core'

/**
 * Iceberg's binary single-value encoding (for column bounds and partition summaries) and the order
 * bounds compare in. Timestamps are epoch µs numbers throughout K2.
 */

export function encodeValue(type: ColumnType | 'date', value: Scalar): Buffer {
  switch (type) {
    case 'string':
      return Buffer.from(String(value), 'utf8')
    case 'boolean':
      return Buffer.from([value ? 1 : 0])
    case 'int':
    case 'date': {
      const b = Buffer.alloc(4)
      b.writeInt32LE(Number(value))
      return b
    }
    case 'double': {
      const b = Buffer.alloc(8)
      b.writeDoubleLE(Number(value))
      return b
    }
    case 'long':
    case 'timestamptz': {
      const b = Buffer.alloc(8)
      b.writeBigInt64LE(BigInt(value as number))
      return b
    }
  }
}

export function decodeValue(type: ColumnType | 'date', buf: Buffer): Scalar {
  switch (type) {
    case 'string':
      return buf.toString('utf8')
    case 'boolean':
      return buf[0] === 1
    case 'int':
    case 'date':
      return buf.readInt32LE(0)
    case 'double':
      return buf.readDoubleLE(0)
    case 'long':
    case 'timestamptz':
      return Number(buf.readBigInt64LE(0))
  }
}

/** UTF-8 byte order (what Iceberg bounds use), not JS UTF-16 order. */
export function compareStrings(a: string, b: string): number {
  // UTF-16 code units order like UTF-8 bytes except surrogates (code points above U+FFFF), which
  // UTF-8 sorts after every BMP character: lift them above 0xFFFF before comparing.
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000
    return x < y ? -1 : 1
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1
}
