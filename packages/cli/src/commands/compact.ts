import type { TableName } from '@k2/core'
import { Command } from 'commander'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption } from '../options.js'
import { startProgress } from '../progress.js'
import { examples } from './help.js'
import { bytesArg, targetTables } from './maintenance-args.js'
import { withLake } from './open-lake.js'

export function compactCommand(io: CliIo): Command {
  return new Command('compact')
    .description("rewrite each partition's small files into one (same rows; a replace commit)")
    .argument('[table]', 'the table (or --all)')
    .addOption(lakeOption())
    .option('--all', 'every table of the lake')
    .option('--target-file-size <size>', 'files smaller than this are compacted (e.g. 64MiB, 128MB)', bytesArg, 64 * 2 ** 20)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(['k2 compact silver.trades', 'k2 compact --all --target-file-size 128MiB', 'k2 compact bronze.frames --json']),
    )
    .action(async (table: string | undefined, opts: { lake: string; all?: boolean; targetFileSize: number; json?: boolean }) => {
      await withLake(opts.lake, async (lake) => {
        const names = await targetTables(lake, table, opts.all, 'compact')
        const before = new Map<TableName, number>()
        for (const n of names) before.set(n, (await (await lake.table(n)).files()).files.length)
        const totalFiles = [...before.values()].reduce((a, b) => a + b, 0)
        const progress = startProgress(io, { label: 'compact', unit: 'files', total: totalFiles })
        const results: { table: TableName; rewrittenFiles: number; addedFiles: number; snapshotId: bigint | null }[] = []
        let done = 0
        for (const n of names) {
          if (io.signal.aborted) break // between tables: each compaction is one atomic commit
          results.push({ table: n, ...(await (await lake.table(n)).compact({ smallFileBytes: opts.targetFileSize })) })
          done += before.get(n) ?? 0
          progress.update(done)
        }
        const rewritten = results.reduce((a, r) => a + r.rewrittenFiles, 0)
        const added = results.reduce((a, r) => a + r.addedFiles, 0)
        progress.stop(`compact: ${rewritten} small files rewritten into ${added} across ${results.length} table(s)`)
        if (opts.json) return io.out(toJson(results))
        for (const r of results) {
          io.out(
            r.snapshotId === null
              ? `${r.table}: nothing to compact`
              : `${r.table}: ${r.rewrittenFiles} files → ${r.addedFiles} (snapshot ${r.snapshotId})`,
          )
        }
      })
    })
}
