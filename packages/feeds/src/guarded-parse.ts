import { FeedError } from '@k2/core'
import type { BookAdapter, ExchangeAdapter, ParsedBookFrame, ParsedFrame } from './adapters/adapter.js'

/** What was thrown, in a few words (never the whole of a thrown value). */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : typeof err === 'string' ? err : `a thrown ${typeof err}`
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/**
 * The adapter's reading of a frame. Adapters never throw; one that does has a bug, and its frame
 * becomes an `INTERNAL` dead letter (which the feed also reports as an error) instead of an exception
 * inside the socket's message listener.
 */
export function parseGuarded(adapter: ExchangeAdapter, data: string, recvTs: number): ParsedFrame {
  try {
    return adapter.parse(data, recvTs)
  } catch (err) {
    const message = `the ${adapter.exchange} adapter threw on a frame (${errorText(err)}); the frame is in the dead letter: please report this K2 bug with it`
    return { kind: 'error', error: new FeedError('INTERNAL', adapter.exchange, message, { frame: data, cause: err }) }
  }
}

/** `parseGuarded` for a connection with the book channel on (`parseBook` reads every frame). */
export function parseBookGuarded(adapter: ExchangeAdapter & BookAdapter, data: string, recvTs: number): ParsedBookFrame {
  try {
    return adapter.parseBook(data, recvTs)
  } catch (err) {
    const message = `the ${adapter.exchange} adapter threw on a book frame (${errorText(err)}); the frame is in the dead letter: please report this K2 bug with it`
    return { kind: 'error', error: new FeedError('INTERNAL', adapter.exchange, message, { frame: data, cause: err }) }
  }
}
