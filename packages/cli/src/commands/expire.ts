import { parseDuration, type TableName } from '@k2/core'
import type { SnapshotInfo } from '@k2/store'
import { Command } from 'commander'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption, positiveInt } from '../options.js'
import { examples } from './help.js'
import { durationArg, targetTables } from './maintenance-args.js'
import { withLake } from './open-lake.js'

interface ExpireCommandOptions {
  lake: string
  all?: boolean
  olderThan: string
  retainLast: number
  dryRun?: boolean
  json?: boolean
}

/**
 * The snapshots `expireSnapshots` would remove, by its own rule: older than the cut-off, and
 * neither the current one nor among the newest `retainLast` (by sequence number). The dry run and
 * the real run are held equal by a test.
 */
export function wouldExpire(history: readonly SnapshotInfo[], nowUs: number, olderThan: string, retainLast: number): SnapshotInfo[] {
  const cutoff = nowUs - parseDuration(olderThan)
  const newest = new Set(
    [...history]
      .sort((a, b) => b.sequenceNumber - a.sequenceNumber)
      .slice(0, Math.max(1, retainLast))
      .map((s) => s.snapshotId),
  )
  return history.filter((s) => !s.current && !newest.has(s.snapshotId) && s.timestamp < cutoff)
}

export function expireCommand(io: CliIo): Command {
  return new Command('expire')
    .description('expire old snapshots and delete the files only they referenced (time travel to them ends)')
    .argument('[table]', 'the table (or --all)')
    .addOption(lakeOption())
    .option('--all', 'every table of the lake')
    .option('--older-than <duration>', 'expire snapshots older than this (s, m, h, d, w)', durationArg, '5d')
    .option('--retain-last <n>', 'always keep the newest n snapshots', positiveInt, 1)
    .option('--dry-run', 'list the snapshots that would expire; change nothing')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples([
        'k2 expire silver.trades --older-than 7d',
        'k2 expire --all --older-than 30d --retain-last 10 --dry-run',
        'k2 expire gold.ohlcv --older-than 1d --json',
      ]),
    )
    .action(async (table: string | undefined, opts: ExpireCommandOptions) => {
      await withLake(opts.lake, async (lake) => {
        const results: { table: TableName; expiredSnapshots: number; deletedFiles: number | null; snapshots?: string[] }[] = []
        for (const name of await targetTables(lake, table, opts.all, 'expire')) {
          const t = await lake.table(name)
          if (opts.dryRun) {
            const gone = wouldExpire(await t.history(), Date.now() * 1000, opts.olderThan, opts.retainLast)
            results.push({
              table: name,
              expiredSnapshots: gone.length,
              deletedFiles: null,
              snapshots: gone.map((s) => s.snapshotId.toString()),
            })
          } else {
            const r = await t.expireSnapshots({ olderThan: opts.olderThan, retainLast: opts.retainLast })
            results.push({ table: name, ...r })
          }
        }
        if (opts.json) return io.out(toJson(results))
        for (const r of results) {
          io.out(
            opts.dryRun
              ? `${r.table}: would expire ${r.expiredSnapshots} snapshot(s)${r.snapshots?.length ? `: ${r.snapshots.join(', ')}` : ''}`
              : `${r.table}: expired ${r.expiredSnapshots} snapshot(s), deleted ${r.deletedFiles} file(s)`,
          )
        }
      })
    })
}
