import { availableParallelism } from 'node:os'
import { basename } from 'node:path'
import { K2Error, parseVenue, VENUES, validateSymbol } from '@k2/core'
import { IMPORT_FORMATS, type ImportSummary, importFiles, openLake } from '@k2/store'
import { Command, InvalidArgumentError, Option } from 'commander'
import { CommandExit, EXIT } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { jsonOption, lakeOption, positiveInt } from '../options.js'
import { compact, type Progress, startProgress } from '../progress.js'
import { examples } from './help.js'

interface ImportOpts {
  format: string
  venue?: string
  symbol?: string
  lake: string
  onBadRow: 'stop' | 'dlq'
  threads: number
  json?: boolean
}

const venueArg = (text: string) => {
  try {
    return parseVenue(text)
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message)
  }
}
const symbolArg = (text: string) => {
  try {
    return validateSymbol(text)
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message)
  }
}

/** The summary as JSON: snapshot ids (bigints) as strings. */
function toJson(s: ImportSummary): string {
  return JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? String(v) : v))
}

function summaryLine(s: ImportSummary): string {
  const rate = s.rowsRead / Math.max(s.seconds, 1e-3)
  return `imported ${s.files.length} file(s): ${s.rowsRead.toLocaleString('en-US')} rows read, ${s.rowsWritten.toLocaleString('en-US')} written, ${s.duplicates.toLocaleString('en-US')} duplicates, ${s.badRows.toLocaleString('en-US')} bad${s.dlqRows ? ` (${s.dlqRows} to bronze.dlq)` : ''} in ${s.seconds.toFixed(1)} s (${compact(rate)} rows/s)`
}

export function importCommand(io: CliIo): Command {
  return new Command('import')
    .description('import historical files (Binance public data, Kraken trade history, Tardis.dev CSVs) into the lake')
    .argument('<files...>', 'CSV, .csv.gz or .zip files')
    .addOption(new Option('--format <format>', 'file format').choices(['auto', ...IMPORT_FORMATS]).default('auto'))
    .option('--venue <venue>', `venue to record (${VENUES.join(', ')}); default: from the file, its path or name`, venueArg)
    .option('--symbol <symbol>', 'canonical symbol to record, e.g. BTC-USDT; default: from the file or its name', symbolArg)
    .addOption(lakeOption())
    .addOption(
      new Option('--on-bad-row <mode>', 'a malformed row stops the import (nothing committed) or goes to bronze.dlq')
        .choices(['stop', 'dlq'])
        .default('stop'),
    )
    .option('--threads <n>', 'DuckDB threads for parsing and writing', positiveInt, availableParallelism())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `${examples([
        'k2 import BTCUSDT-trades-2024-01-01.zip',
        'k2 import data/futures/um/daily/aggTrades/BTCUSDT/*.zip --lake ./k2-lake',
        'k2 import BTCUSDT-1m-2024-01.zip --venue binance          # klines → gold.ohlcv (source exchange)',
        'k2 import XBTUSD.csv --on-bad-row dlq                     # Kraken trade history',
        'k2 import tardis_deribit_incremental_book_L2_*.csv.gz --json',
      ])}\n\nRe-importing a file adds nothing. Formats and venues: docs/import.md.`,
    )
    .action(async (files: string[], opts: ImportOpts) => {
      const lake = await openLake(opts.lake, { threads: opts.threads })
      let bar: Progress | null = null
      let current = ''
      let lastRows = 0
      try {
        const summary = await importFiles(lake, files, {
          format: opts.format as (typeof IMPORT_FORMATS)[number] | 'auto',
          ...(opts.venue ? { venue: opts.venue } : {}),
          ...(opts.symbol ? { symbol: opts.symbol } : {}),
          onBadRow: opts.onBadRow,
          signal: io.signal,
          onProgress: (p) => {
            if (p.file !== current) {
              bar?.stop()
              current = p.file
              bar = startProgress(io, {
                label: `import ${basename(p.file)}`,
                unit: 'bytes',
                ...(p.totalBytes ? { total: p.totalBytes } : {}),
              })
            }
            lastRows = p.rows
            bar?.update(p.bytes, p.totalBytes)
          },
        })
        ;(bar as Progress | null)?.stop(`${compact(lastRows)} rows read`)
        bar = null
        if (opts.json) io.out(toJson(summary))
        else {
          io.out(summaryLine(summary))
          for (const c of summary.commits)
            io.out(
              `  ${c.table}: ${c.rows.toLocaleString('en-US')} rows${c.snapshotId === null ? ' (nothing new: no snapshot)' : ` in snapshot ${c.snapshotId}`}`,
            )
        }
        for (const b of summary.badRowSamples.slice(0, 5)) io.err(`bad row ${b.file}:${b.line}: ${b.reason}`)
      } catch (err) {
        ;(bar as Progress | null)?.stop()
        if (K2Error.isInstance(err) && err.code === 'VALIDATION' && (err.details as { file?: string } | undefined)?.file !== undefined) {
          // A malformed row (--on-bad-row stop) or a damaged archive: a data problem, not bad usage.
          io.err(`k2: ${err.message}`)
          throw new CommandExit(EXIT.DATA)
        }
        throw err
      } finally {
        await lake.close()
      }
    })
}
