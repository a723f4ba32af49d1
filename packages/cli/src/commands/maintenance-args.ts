import { K2Error, parseDuration, TABLE_NAMES, type TableName } from '@k2/core'
import type { Lake } from '@k2/store'
import { InvalidArgumentError } from 'commander'
import { existingTables, requireTable, tableArg } from './open-lake.js'

/** A duration such as 7d, 12h, 30m (checked now, passed on as written). */
export function durationArg(text: string): string {
  try {
    parseDuration(text)
    return text
  } catch (e) {
    throw new InvalidArgumentError(K2Error.from(e).message)
  }
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 }

/** A size: bytes, or with a unit (KB, MB, GB, KiB, MiB, GiB), e.g. 64MiB. */
export function bytesArg(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined
  const n = m && unit ? Math.round(Number(m[1]) * unit) : Number.NaN
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a size such as 64MiB, 128MB or 1048576 (bytes), got "${text}"`)
  return n
}

/** The tables a maintenance command works on: the one named, or with --all every table that exists. */
export async function targetTables(lake: Lake, table: string | undefined, all: boolean | undefined, command: string): Promise<TableName[]> {
  if (table !== undefined && all) throw new K2Error('VALIDATION', `k2 ${command}: name a table or pass --all, not both`)
  if (table === undefined && !all) {
    throw new K2Error('VALIDATION', `k2 ${command} needs a table (${TABLE_NAMES.join(', ')}) or --all`)
  }
  if (all) return existingTables(lake)
  const name = tableArg(table as string)
  await requireTable(lake, name)
  return [name]
}
