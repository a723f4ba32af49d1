import { writeFile } from 'node:fs/promises'
import { K2Error } from '@k2/core'
import { InvalidArgumentError } from 'commander'
import type { CliIo } from '../io.js'
import type { ResultSet, TimeFormat } from './cells.js'
import { csvLines, tsvLines } from './csv.js'
import { jsonLines, jsonText } from './json.js'
import { type ParquetColumn, writeParquet } from './parquet.js'
import { renderTable } from './table.js'

export const FORMATS = ['table', 'csv', 'tsv', 'json', 'jsonl', 'parquet'] as const
export type OutputFormat = (typeof FORMATS)[number]

export function formatArg(text: string): OutputFormat {
  if ((FORMATS as readonly string[]).includes(text)) return text as OutputFormat
  throw new InvalidArgumentError(`unknown format "${text}": expected one of ${FORMATS.join(', ')}`)
}

export function timeFormatArg(text: string): TimeFormat {
  if (text === 'iso' || text === 'us') return text
  throw new InvalidArgumentError(`expected iso (2026-11-24T12:00:00.000000Z) or us (epoch microseconds), got "${text}"`)
}

/**
 * The format when none is asked for, as `gh` decides: a table for a person at a terminal, CSV
 * (with a header) when stdout is a pipe or a file, so `| duckdb`, `| csvlook` or pandas read it.
 */
export function defaultFormat(stdoutIsTTY: boolean): OutputFormat {
  return stdoutIsTTY ? 'table' : 'csv'
}

const BY_EXTENSION: Record<string, OutputFormat> = {
  parquet: 'parquet',
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
}

/** The format an `--output` file's extension names (`trades.parquet` → parquet), CSV when it names none. */
export function formatOfFile(path: string): OutputFormat {
  return BY_EXTENSION[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'csv'
}

export interface WriteOptions {
  format: OutputFormat
  times: TimeFormat
  /** The file for `parquet` (required) or for any format instead of stdout. */
  output?: string
  /** Parquet column types; from the query's Arrow schema. */
  parquetColumns?: readonly ParquetColumn[]
}

/** Prints (or writes) a result in the chosen format. */
export async function writeResult(io: CliIo, set: ResultSet, opts: WriteOptions): Promise<void> {
  if (opts.format === 'parquet') {
    if (!opts.output) throw new K2Error('VALIDATION', '--format parquet writes a file: add --output FILE.parquet')
    await writeParquet(opts.output, opts.parquetColumns ?? set.columns.map((name) => ({ name, type: 'VARCHAR' })), set.rows)
    io.err(`wrote ${set.rows.length} rows to ${opts.output}`)
    return
  }
  const lines = formatLines(io, set, opts)
  if (opts.output) {
    await writeFile(opts.output, lines.length ? `${lines.join('\n')}\n` : '')
    io.err(`wrote ${set.rows.length} rows to ${opts.output}`)
    return
  }
  for (const l of lines) io.out(l)
}

function formatLines(io: CliIo, set: ResultSet, opts: WriteOptions): string[] {
  switch (opts.format) {
    case 'table':
      return renderTable(set, { columns: io.columns, times: opts.times })
    case 'csv':
      return [...csvLines(set, opts.times)]
    case 'tsv':
      return [...tsvLines(set, opts.times)]
    case 'json':
      return [jsonText(set, opts.times)]
    case 'jsonl':
      return [...jsonLines(set, opts.times)]
    default:
      throw new K2Error('INTERNAL', `format ${opts.format} has no writer`)
  }
}
