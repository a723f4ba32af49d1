import { Command } from 'commander'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption } from '../options.js'
import { examples } from './help.js'
import { withLake } from './open-lake.js'

export function relocateCommand(io: CliIo): Command {
  return new Command('relocate')
    .description("after copying or moving a lake, rewrite its tables' paths to where it is now")
    .addOption(lakeOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `${examples(['cp -r ./k2-lake /data/k2-lake && k2 relocate --lake /data/k2-lake', 'k2 relocate --lake ./restored-lake --json'])}

Until it runs, a copied lake reads fine but refuses writes and maintenance (TABLE_MOVED, exit 3).
The original is never touched; the copy's old manifests become orphans for k2 vacuum.`,
    )
    .action(async (opts: { lake: string; json?: boolean }) => {
      await withLake(opts.lake, async (lake) => {
        const moved = await lake.relocate()
        if (opts.json) return io.out(toJson(moved))
        if (moved.length === 0) return io.out('nothing to relocate: every table already names this folder')
        for (const m of moved) io.out(`${m.table}: ${m.from} → ${m.to} (metadata v${m.version})`)
      })
    })
}
