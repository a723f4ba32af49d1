/**
 * A deliberately simple, independent reference for candles (docs/candles.md), for tests only: sort,
 * group, sum decimals as BigInt from `String(x)`. Nothing here imports the code under test.
 */

export interface RefTrade {
  exchange: string
  symbol: string
  ts: number
  id: string
  price: number | string
  qty: number | string
  side: 'buy' | 'sell' | 'unknown'
}

export interface RefCandle {
  exchange: string
  symbol: string
  start: number
  open: number
  high: number
  low: number
  close: number
  volume: number
  quoteVolume: number
  buyVolume: number
  trades: number
  vwap: number
  volumeExact: string
  quoteVolumeExact: string
  buyVolumeExact: string
}

/** A decimal string or a double's String() as (mantissa, scale). */
export function refDecimal(x: number | string): { m: bigint; s: number } {
  const text = typeof x === 'number' ? String(x) : x
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text)
  if (!m) throw new Error(`not a decimal: ${text}`)
  const frac = m[3] ?? ''
  let s = frac.length - Number(m[4] ?? 0)
  let mant = BigInt(m[2] + frac)
  if (s < 0) {
    mant *= 10n ** BigInt(-s)
    s = 0
  }
  return { m: m[1] === '-' ? -mant : mant, s }
}

/** Σ of decimals, as a plain decimal string without trailing zeros. */
export function refSum(terms: Array<{ m: bigint; s: number }>): string {
  const s = Math.max(0, ...terms.map((t) => t.s))
  let total = 0n
  for (const t of terms) total += t.m * 10n ** BigInt(s - t.s)
  return refFormat(total, s)
}

export function refFormat(m: bigint, s: number): string {
  const neg = m < 0n
  const digits = (neg ? -m : m).toString().padStart(s + 1, '0')
  let int = digits.slice(0, digits.length - s)
  let frac = digits.slice(digits.length - s).replace(/0+$/, '')
  if (int === '') int = '0'
  const text = frac === '' ? int : `${int}.${frac}`
  frac = ''
  return neg && text !== '0' ? `-${text}` : text
}

function utf8Order(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length !== y.length ? x.length - y.length : Buffer.compare(x, y)
}

/** Candles of trades per docs/candles.md; `width`, `offset` in µs. Sorted by exchange, symbol, start. */
export function refCandles(trades: readonly RefTrade[], width: number, offset = 0): RefCandle[] {
  const sorted = [...trades].sort((a, b) => a.ts - b.ts || utf8Order(a.id, b.id))
  const groups = new Map<string, RefTrade[]>()
  for (const t of sorted) {
    const start = Math.floor((t.ts - offset) / width) * width + offset
    const k = `${t.exchange}|${t.symbol}|${String(start).padStart(20, '0')}`
    const g = groups.get(k) ?? []
    g.push(t)
    groups.set(k, g)
  }
  return [...groups.keys()].sort().map((k) => {
    const g = groups.get(k) as RefTrade[]
    const first = g[0] as RefTrade
    const last = g[g.length - 1] as RefTrade
    const prices = g.map((t) => Number(t.price))
    const volumeExact = refSum(g.map((t) => refDecimal(t.qty)))
    const buyVolumeExact = refSum(g.filter((t) => t.side === 'buy').map((t) => refDecimal(t.qty)))
    const quoteVolumeExact = refSum(
      g.map((t) => {
        const p = refDecimal(t.price)
        const q = refDecimal(t.qty)
        return { m: p.m * q.m, s: p.s + q.s }
      }),
    )
    const high = Math.max(...prices)
    const low = Math.min(...prices)
    const volume = Number(volumeExact)
    const quoteVolume = Number(quoteVolumeExact)
    return {
      exchange: first.exchange,
      symbol: first.symbol,
      start: Math.floor((first.ts - offset) / width) * width + offset,
      open: Number(first.price),
      high,
      low,
      close: Number(last.price),
      volume,
      quoteVolume,
      buyVolume: Number(buyVolumeExact),
      trades: g.length,
      vwap: Math.min(high, Math.max(low, quoteVolume / volume)),
      volumeExact,
      quoteVolumeExact,
      buyVolumeExact,
    }
  })
}
