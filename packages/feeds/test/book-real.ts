// Readers for the real book captures in ../shared/data/real (see its SOURCES.md): Kraken v1 book frames,
// Binance and Bitstamp REST snapshots. The stream frames of Binance, Coinbase and Bitstamp go through the
// adapters themselves; Kraken v1 is not what the adapter speaks (v2), so it is read here, keeping the
// wire text of every level for the checksum.
import type { BookDelta, BookSnapshot, CanonicalSymbol, Exchange } from '@k2/core'
import { krakenToCanonical } from '../src/adapters/kraken.js'
import type { BookText } from '../src/book/order-book.js'
import { sharedReal } from './helpers.js'

export interface RealBookMessage {
  event: BookSnapshot | BookDelta
  text: BookText
  /** The checksum the exchange sent with this message (Kraken updates). */
  checksum?: number
}

type V1Entry = [string, string, string, string?]
type V1Payload = { as?: V1Entry[]; bs?: V1Entry[]; a?: V1Entry[]; b?: V1Entry[]; c?: string }

/** "1617666423.606671" → epoch µs, by string arithmetic. */
const v1Micros = (t: string) => {
  const [s = '0', f = ''] = t.split('.')
  return Number(s) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6))
}

/** Real Kraken v1 book frames (depth 1000) per canonical symbol, in receive order; undefined without ../shared. */
export function krakenV1Books(
  lines: string[] | undefined = sharedReal('kraken-v1-book.jsonl'),
): Map<CanonicalSymbol, RealBookMessage[]> | undefined {
  if (lines === undefined) return undefined
  const out = new Map<CanonicalSymbol, RealBookMessage[]>()
  for (const line of lines) {
    const frame = JSON.parse(line) as unknown[]
    const pair = frame[frame.length - 1] as string
    const symbol = krakenToCanonical(pair) as CanonicalSymbol
    const payloads = frame.slice(1, -2) as V1Payload[]
    const snapshot = payloads.some((p) => p.as !== undefined || p.bs !== undefined)
    const bids = payloads.flatMap((p) => p.bs ?? p.b ?? [])
    const asks = payloads.flatMap((p) => p.as ?? p.a ?? [])
    const c = payloads.find((p) => p.c !== undefined)?.c
    const ts = Math.max(0, ...[...bids, ...asks].map((e) => v1Micros(e[2])))
    const event = {
      type: snapshot ? 'book_snapshot' : 'book_delta',
      exchange: 'kraken',
      symbol,
      ts,
      recvTs: ts,
      bids: bids.map((e) => [Number(e[0]), Number(e[1])] as [number, number]),
      asks: asks.map((e) => [Number(e[0]), Number(e[1])] as [number, number]),
      ...(c === undefined ? {} : { checksum: Number(c) }),
    } as BookSnapshot | BookDelta
    const text = { bids: bids.map((e) => [e[0], e[1]] as const), asks: asks.map((e) => [e[0], e[1]] as const) }
    const list = out.get(symbol) ?? []
    list.push({ event, text, ...(c === undefined ? {} : { checksum: Number(c) }) })
    out.set(symbol, list)
  }
  return out
}

export interface RestSnapshot {
  exchange: Exchange
  /** The native symbol as the URL names it (`ZILUSDT`, `xlmeur`). */
  native: string
  localTs: number
  /** The raw REST body as text, as an adapter receives it. */
  body: string
}

/** Real REST book snapshots (Binance `…-depth-snapshot`, Bitstamp `…-order-book-snapshot`); undefined without ../shared. */
export function restSnapshots(
  exchange: 'binance' | 'bitstamp',
  lines: string[] | undefined = sharedReal(exchange === 'binance' ? 'binance-depth-snapshot.jsonl' : 'bitstamp-order-book-snapshot.jsonl'),
): RestSnapshot[] | undefined {
  if (lines === undefined) return undefined
  return lines.map((line) => {
    const w = JSON.parse(line) as { url: string; local_ts: number }
    const native = exchange === 'binance' ? (/symbol=(\w+)/.exec(w.url)?.[1] ?? '') : (w.url.split('/').filter(Boolean).pop() ?? '')
    // The body's text exactly as the wrapper holds it (verbatim REST text): from `"body":` to the wrapper's last brace.
    const body = line.slice(line.indexOf('"body":') + 7, line.lastIndexOf('}')).trim()
    return { exchange, native, localTs: w.local_ts, body }
  })
}

/** Epoch µs → RFC 3339 with µs, exactly. */
export function microsIso(us: number): string {
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`
}

/**
 * DERIVED, not captured (no real Kraken v2 book frames exist): the v2 `book` frame for one real v1
 * message, keeping each level's price and qty text as v2 prints them (JSON numbers with the pair's
 * precision). Updates carry the real v1 checksum; v1 snapshots carry none, so `snapshotChecksum` is
 * given by the caller.
 */
export function toKrakenV2(pair: string, m: RealBookMessage, snapshotChecksum?: number): string {
  const side = (t: readonly (readonly [string, string])[]) => t.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')
  const snapshot = m.event.type === 'book_snapshot'
  const checksum = snapshot ? snapshotChecksum : m.checksum
  const time = snapshot ? '' : `,"timestamp":"${microsIso(m.event.ts)}"`
  return `{"channel":"book","type":"${snapshot ? 'snapshot' : 'update'}","data":[{"symbol":"${pair}","bids":[${side(m.text.bids)}],"asks":[${side(m.text.asks)}],"checksum":${checksum}${time}}]}`
}
