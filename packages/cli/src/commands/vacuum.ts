import { Command } from 'commander'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption } from '../options.js'
import { examples } from './help.js'
import { durationArg } from './maintenance-args.js'
import { existingTables, withLake } from './open-lake.js'

export function vacuumCommand(io: CliIo): Command {
  return new Command('vacuum')
    .description('delete orphan files (of crashed or lost commits) that no snapshot references')
    .addOption(lakeOption())
    .option('--older-than <duration>', 'grace period: only files older than this (protects commits in flight)', durationArg, '3d')
    .option('--dry-run', 'list the files that would be deleted; delete nothing')
    .addOption(jsonOption())
    .addHelpText('after', examples(['k2 vacuum --dry-run', 'k2 vacuum --older-than 7d', 'k2 vacuum --lake ./k2-lake --json']))
    .action(async (opts: { lake: string; olderThan: string; dryRun?: boolean; json?: boolean }) => {
      await withLake(opts.lake, async (lake) => {
        const results: { table: string; files: string[] }[] = []
        for (const name of await existingTables(lake)) {
          const r = await (await lake.table(name)).removeOrphans({ olderThan: opts.olderThan, dryRun: opts.dryRun === true })
          results.push({ table: name, files: r.deleted })
        }
        if (opts.json) return io.out(toJson({ dryRun: opts.dryRun === true, tables: results }))
        const verb = opts.dryRun ? 'would delete' : 'deleted'
        for (const r of results) {
          io.out(`${r.table}: ${verb} ${r.files.length} orphan file(s)`)
          for (const f of r.files) io.out(`  ${f}`)
        }
      })
    })
}
