import type { TableName } from '@k2/core'
import { Command, Option } from 'commander'
import { toJson } from '../format/json.js'
import { defaultFormat, formatArg, type OutputFormat, writeResult } from '../format/output.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption } from '../options.js'
import { examples } from './help.js'
import { requireTable, tableArg, withLake } from './open-lake.js'

export function snapshotsCommand(io: CliIo): Command {
  return new Command('snapshots')
    .description("list a table's snapshots (oldest first): id, time, operation, rows and files")
    .argument('<table>', 'silver.trades, gold.ohlcv, bronze.frames, …', tableArg)
    .addOption(lakeOption())
    .addOption(jsonOption())
    .addOption(
      new Option('--format <format>', 'table, csv, tsv, json or jsonl (default: table on a terminal, csv when piped)').argParser(formatArg),
    )
    .addHelpText(
      'after',
      examples([
        'k2 snapshots silver.trades',
        'k2 snapshots gold.ohlcv --json | jq -r ".[-1].snapshotId"',
        'k2 query silver.trades --as-of <snapshot id> --limit 5   # read an earlier snapshot',
      ]),
    )
    .action(async (table: TableName, opts: { lake: string; json?: boolean; format?: OutputFormat }) => {
      await withLake(opts.lake, async (lake) => {
        await requireTable(lake, table)
        const history = await (await lake.table(table)).history()
        if (opts.json) return io.out(toJson(history))
        const rows = history.map((s) => ({
          snapshot_id: s.snapshotId.toString(),
          committed: s.timestamp,
          operation: s.operation,
          added_rows: s.addedRows,
          deleted_rows: s.deletedRows,
          added_files: s.addedFiles,
          deleted_files: s.deletedFiles,
          total_rows: s.totalRows,
          total_files: s.totalFiles,
          current: s.current ? '*' : '',
        }))
        const columns = rows[0] ? Object.keys(rows[0]) : ['snapshot_id', 'committed', 'operation']
        await writeResult(
          io,
          { columns, timeColumns: new Set(['committed']), rows },
          {
            format: opts.format ?? defaultFormat(io.stdoutIsTTY === true),
            times: 'iso',
          },
        )
      })
    })
}
