import { K2Error, type TableName } from '@k2/core'

/**
 * A replay is pinned to one snapshot of each table it reads, taken when it starts. The token names
 * them all in one comparable string, `silver.trades@8012…;gold.ohlcv@none` (tables in a fixed
 * order, `none` for a table with no snapshot yet): two replays with equal tokens read the same
 * files, so yield the same events byte for byte, whatever was appended since.
 */
export type ReplaySnapshots = Partial<Record<TableName, bigint | null>>

const ORDER: readonly TableName[] = ['silver.trades', 'silver.quotes', 'silver.book', 'gold.ohlcv', 'bronze.coverage']
const PART_RE = /^([a-z]+\.[a-z_]+)@(none|\d{1,20})$/

export function snapshotToken(snaps: ReplaySnapshots): string {
  return ORDER.filter((t) => t in snaps)
    .map((t) => `${t}@${snaps[t] === null || snaps[t] === undefined ? 'none' : String(snaps[t])}`)
    .join(';')
}

export function parseSnapshotToken(token: string): ReplaySnapshots {
  const out: ReplaySnapshots = {}
  if (typeof token !== 'string' || token.length === 0) throw badToken(token)
  for (const part of token.split(';')) {
    const m = PART_RE.exec(part)
    if (!m || !ORDER.includes(m[1] as TableName)) throw badToken(token)
    out[m[1] as TableName] = m[2] === 'none' ? null : BigInt(m[2] as string)
  }
  return out
}

function badToken(token: unknown): K2Error {
  return new K2Error(
    'VALIDATION',
    `invalid replay snapshot ${JSON.stringify(token)}: pass a \`replay.snapshot\` token, e.g. "silver.trades@8012345678901234567;gold.ohlcv@none"`,
  )
}
