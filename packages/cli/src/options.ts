import { EXCHANGES, type Exchange, K2Error, toMicros } from '@k2/core'
import { InvalidArgumentError, Option } from 'commander'

/** The lake a command works on: `--lake DIR`, default ./k2-lake (where `k2 demo` leaves one). */
export const DEFAULT_LAKE = './k2-lake'
export const lakeOption = () => new Option('--lake <dir>', 'lake directory').default(DEFAULT_LAKE)

/** `--json`: machine-readable output on stdout (progress and diagnostics stay on stderr). */
export const jsonOption = () => new Option('--json', 'print the result as JSON on stdout')

/** Commander argument parsers: each throws InvalidArgumentError (exit 2) with a message that says what fits. */
export function positiveInt(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, e.g. 10 (got "${text}")`)
  return n
}

export function positiveNumber(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, e.g. 5 (got "${text}")`)
  return n
}

/** A time: ISO 8601 (`2026-11-24`, `2026-11-24T12:00:00Z`) or epoch µs; returns epoch µs. */
export function timeArg(text: string): number {
  try {
    return toMicros(/^\d+$/.test(text) ? Number(text) : text)
  } catch (e) {
    throw new InvalidArgumentError(
      `expected a time like 2026-11-24 or 2026-11-24T12:00:00Z or epoch µs (got "${text}"): ${K2Error.from(e).message}`,
    )
  }
}

/** A comma-separated list: `BTC-USDT,ETH-USDT` → ['BTC-USDT', 'ETH-USDT']; repeated flags accumulate. */
export function listArg(text: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]
}

export function exchangeArg(text: string): Exchange {
  if ((EXCHANGES as readonly string[]).includes(text)) return text as Exchange
  throw new InvalidArgumentError(`unknown exchange "${text}": expected one of ${EXCHANGES.join(', ')}`)
}
