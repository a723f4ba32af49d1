import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { K2Error, TABLE_NAMES, type TableName } from '@k2/core'
import { type Lake, type LakeOptions, openLake } from '@k2/store'

/**
 * Opens the lake at `dir` for a command that reads or maintains it, runs `work`, and closes it.
 * Unlike `openLake`, a missing directory is NOT_FOUND (exit 3) rather than a new empty lake, so a
 * mistyped --lake says so instead of answering from nothing.
 */
export async function withLake<R>(dir: string, work: (lake: Lake) => Promise<R>, opts: LakeOptions = {}): Promise<R> {
  const info = await stat(dir).catch(() => null)
  if (!info?.isDirectory()) {
    throw new K2Error(
      'NOT_FOUND',
      `no lake at ${resolve(dir)}: pass --lake DIR (the default is ./k2-lake), or make one with "k2 demo --lake DIR" or "k2 import"`,
    )
  }
  const lake = await openLake(dir, opts)
  try {
    return await work(lake)
  } finally {
    await lake.close()
  }
}

/** The tables that exist in the lake (reading a table must not create it). */
export async function existingTables(lake: Lake): Promise<TableName[]> {
  const out: TableName[] = []
  for (const t of TABLE_NAMES) if (await lake.hasTable(t)) out.push(t)
  return out
}

/** NOT_FOUND unless `table` exists in the lake, naming the ones that do. */
export async function requireTable(lake: Lake, table: TableName): Promise<void> {
  if (await lake.hasTable(table)) return
  const have = await existingTables(lake)
  throw new K2Error(
    'NOT_FOUND',
    `${table} does not exist in the lake at ${lake.root} (it has ${have.length ? have.join(', ') : 'no tables yet'})`,
    { details: { table } },
  )
}

/** A table name argument: one of the lake's tables, or VALIDATION listing them. */
export function tableArg(text: string): TableName {
  if ((TABLE_NAMES as readonly string[]).includes(text)) return text as TableName
  throw new K2Error('VALIDATION', `unknown table "${text}": expected one of ${TABLE_NAMES.join(', ')}`)
}
