/**
 * The order of trades (docs/candles.md): by ts, then by id — shorter UTF-8 byte length first, then
 * UTF-8 byte order. Code-point order is UTF-8 byte order, so ids compare by code points; for ASCII
 * ids (every supported exchange) the JS string length is the byte length.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0
  const la = utf8Length(a)
  const lb = utf8Length(b)
  if (la !== lb) return la - lb
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const ca = a.codePointAt(i) as number
    const cb = b.codePointAt(j) as number
    if (ca !== cb) return ca - cb
    i += ca > 0xffff ? 2 : 1
    j += cb > 0xffff ? 2 : 1
  }
  return 0
}

export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2 // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++
    } else n += 2
  }
  return n
}

/** Negative when trade (tsA, idA) comes before (tsB, idB). */
export function compareTrades(tsA: number, idA: string, tsB: number, idB: string): number {
  return tsA !== tsB ? tsA - tsB : compareIds(idA, idB)
}
