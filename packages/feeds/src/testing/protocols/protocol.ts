import type { CanonicalSymbol } from '@k2/core'
import type { Tape, TapeTrade } from '../tape.js'

/** What a client asked for, as the simulated exchange understood it. */
export type ClientRequest =
  | { kind: 'subscribe'; symbols: string[]; reqId?: number; heartbeats?: boolean }
  | { kind: 'unsubscribe'; symbols: string[]; reqId?: number }
  | { kind: 'ping'; reqId?: number }
  | { kind: 'bad'; reply: string }

/** Per-connection protocol state (Coinbase numbers every message of a connection). */
export interface ClientState {
  subscribed: Set<CanonicalSymbol>
  sequence: number
  heartbeats: boolean
}

/** One exchange's wire protocol, server side. */
export interface SimProtocol {
  /** Frames sent right after a client connects. */
  greeting(): string[]
  read(message: string): ClientRequest
  /** Native name → canonical symbol (only for the simulator's own symbols). */
  canonical(native: string, tape: Tape): CanonicalSymbol | undefined
  /** Answers to a subscribe: acks (and snapshots) for known symbols, errors for unknown names. */
  subscribed(client: ClientState, known: CanonicalSymbol[], unknown: string[], reqId: number | undefined, tape: Tape): string[]
  pong(client: ClientState, reqId: number | undefined): string[]
  /** Trade frames for consecutive trades of one symbol (one or several frames). */
  trades(client: ClientState, trades: readonly TapeTrade[]): string[]
  /** A keep-alive frame sent every heartbeat interval, if the protocol has one. */
  heartbeat(client: ClientState): string | undefined
  /** The server's "please reconnect" frame, if the protocol has one. */
  reconnectRequest(): string | undefined
  /** Answers a REST history request, or undefined for an unknown path. */
  rest(path: string, query: URLSearchParams, tape: Tape): { status: number; body: string } | undefined
}

export function jsonOrUndefined(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

let cachedSecond = Number.NaN
let cachedPrefix = ''

const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n))

/** Epoch µs to RFC 3339 with six fraction digits (the per-second prefix is cached: trades come in bursts). */
export function isoMicros(us: number): string {
  const second = Math.floor(us / 1_000_000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19)
  }
  const fraction = us - second * 1_000_000
  const ms = Math.floor(fraction / 1000)
  return `${cachedPrefix}.${pad3(ms)}${pad3(fraction - ms * 1000)}Z`
}
