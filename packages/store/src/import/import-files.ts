import { mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { isVenue, K2Error, type TableName, toCanonicalSymbol, VENUES, validateSymbol } from '@k2/core'
import type { LakeTable } from '../lake-table.js'
import { coreOf } from '../table-core.js'
import { checkImported } from '../write/imported-values.js'
import { sqlString } from '../write/sql-literal.js'
import { type BadRow, lineOfRow, linesOf } from './bad-rows.js'
import { type Chunk, chunkFiles } from './chunk-files.js'
import { ChunkedCommit } from './chunked-commit.js'
import { detectFormat, FORMATS, fileInstrument, type Instrument } from './detect.js'
import { type DirectChunk, writeChunkDirect } from './direct-chunk.js'
import { type FormatSpec, IMPORT_FORMATS, type ImportFormat, type Layout, type SqlContext } from './format.js'
import { krakenCarrySql } from './kraken-trades.js'
import { inputParts } from './open-input.js'
import { stageChunk } from './stage-chunk.js'

/**
 * `importFiles`: historical files into the lake, streaming. Each input (CSV, .csv.gz, or the CSVs
 * of a .zip) is cut into chunks of lines that DuckDB's CSV reader parses with the format's typed
 * columns; rows that do not parse or fail the format's checks are bad rows (file, line, reason,
 * the line itself), the rest is mapped to the table's columns, deduplicated and written to Parquet
 * chunk by chunk, and each table gets ONE commit at the end. A bad row either stops the import
 * (`onBadRow: 'stop'`, the default: K2Error VALIDATION naming file:line, nothing committed) or goes
 * to bronze.dlq (`'dlq'`). Re-importing a file adds nothing: silver.trades deduplicates on
 * (exchange, symbol, id); silver.book and silver.quotes, which have no key, skip an input whose
 * content (sha256) an earlier import recorded in the table's snapshot summary (`k2.import.<hash>`);
 * gold.ohlcv candles replace the candles with their key.
 */
export interface ImportFilesOptions {
  /** The files' format (default `auto`: detected per file from its name and first line). */
  format?: ImportFormat | 'auto'
  /** The venue to record (validated against `VENUES`); a file's own venue column must agree with it. */
  venue?: string
  /** The canonical symbol to record instead of mapping the file's native one. */
  symbol?: string
  /** What a malformed row does: stop the import with nothing committed (default), or go to bronze.dlq. */
  onBadRow?: 'stop' | 'dlq'
  /** Bytes of CSV per chunk (default 64 MiB): memory is about one chunk's rows. */
  chunkBytes?: number
  /** Where chunk files go (default the OS temp directory). */
  tempDir?: string
  onProgress?: (p: ImportProgress) => void
  signal?: AbortSignal
}

export interface ImportProgress {
  file: string
  /** Decompressed bytes of this file read so far, and its size when known. */
  bytes: number
  totalBytes: number | undefined
  /** Rows read so far in the whole import. */
  rows: number
}

export interface ImportedFile {
  file: string
  format: ImportFormat
  table: TableName
  rowsRead: number
  badRows: number
  sha256: string
  /** True when the file's content was imported before into a table without a unique key: nothing added. */
  skipped: boolean
  /**
   * How its chunks were written: `direct`, straight from CSV to one Parquet file (a chunk in order,
   * with rising ids, in one partition, whose keys no earlier file can hold), or `staged` in DuckDB
   * first (bad rows named, rows sorted, split by partition, deduplicated).
   */
  chunks: { direct: number; staged: number }
}

export interface ImportSummary {
  files: ImportedFile[]
  /** One commit per table written. */
  commits: { table: TableName; snapshotId: bigint | null; rows: number; duplicates: number; files: number }[]
  rowsRead: number
  rowsWritten: number
  duplicates: number
  badRows: number
  /** The first bad rows (up to 100), with file, line and reason. */
  badRowSamples: BadRow[]
  dlqRows: number
  seconds: number
}

/** The lake to import into (a `Lake`). */
export interface ImportLake {
  table<T extends TableName>(name: T): Promise<LakeTable<T>>
}

const MAX_BAD = 1_000_000
const TIMEFRAME_KEY = ['exchange', 'symbol', 'timeframe', 'start', 'source']

function parseFormat(f: string | undefined): ImportFormat | null {
  if (f === undefined || f === 'auto') return null
  if ((IMPORT_FORMATS as readonly string[]).includes(f)) return f as ImportFormat
  throw new K2Error('VALIDATION', `unknown import format "${f}": expected auto or one of ${IMPORT_FORMATS.join(', ')}`)
}

/** One line of a CSV split at commas, for detection (quoted commas do not occur in these formats). */
const fieldsOf = (line: string) => line.split(',').length

export async function importFiles(lake: ImportLake, paths: readonly string[], opts: ImportFilesOptions = {}): Promise<ImportSummary> {
  const started = performance.now()
  if (paths.length === 0) throw new K2Error('VALIDATION', 'importFiles needs at least one file path')
  const forced = parseFormat(opts.format)
  if (opts.venue !== undefined && !isVenue(opts.venue))
    throw new K2Error('VALIDATION', `unknown venue "${opts.venue}": expected one of ${VENUES.join(', ')}`)
  if (opts.symbol !== undefined) validateSymbol(opts.symbol)
  const onBad = opts.onBadRow ?? 'stop'
  if (onBad !== 'stop' && onBad !== 'dlq') throw new K2Error('VALIDATION', `onBadRow must be "stop" or "dlq", got ${JSON.stringify(onBad)}`)
  const chunkBytes = opts.chunkBytes ?? 64 << 20
  const tmp = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'k2-import-'))
  const trades = coreOf(await lake.table('silver.trades'))
  const summary: ImportSummary = {
    files: [],
    commits: [],
    rowsRead: 0,
    rowsWritten: 0,
    duplicates: 0,
    badRows: 0,
    badRowSamples: [],
    dlqRows: 0,
    seconds: 0,
  }
  const bad: (BadRow & { venue: string })[] = []
  try {
    return await trades.duckdb.with(async (conn) => {
      const commits = new Map<TableName, ChunkedCommit>()
      const candles = new Map<string, Record<string, unknown>>()
      const digests: { table: TableName; digest: string; file: string }[] = []
      const recorded = new Map<TableName, Set<string>>()
      try {
        for (const given of paths) {
          const path = resolve(given)
          const { parts, close } = await inputParts(path)
          try {
            for (const part of parts) {
              const result = await importPart(conn, part, path)
              summary.files.push(result)
            }
          } finally {
            close()
          }
        }
        // Everything read and checked: now the commits, one per table.
        for (const [table, commit] of commits) {
          const mine = digests.filter((d) => d.table === table)
          const entries = Object.fromEntries(mine.map((d) => [`k2.import.${d.digest.slice(0, 32)}`, d.file.slice(-512)]))
          const r = await commit.commit(entries)
          summary.commits.push({ table, ...r })
          summary.rowsWritten += r.rows
          summary.duplicates += r.duplicates
        }
        if (candles.size > 0) {
          const gold = await lake.table('gold.ohlcv')
          const r = await gold.replaceRows([...candles.values()] as never[], { key: TIMEFRAME_KEY })
          summary.commits.push({ table: 'gold.ohlcv', snapshotId: r.snapshotId, rows: r.rows, duplicates: r.replacedRows, files: 0 })
          summary.rowsWritten += r.rows - r.replacedRows
          summary.duplicates += r.replacedRows
        }
      } catch (err) {
        for (const c of commits.values()) await c.discard()
        throw err
      }
      if (bad.length > 0) {
        const dlq = await lake.table('bronze.dlq')
        const now = Date.now() * 1000
        const rows = bad.map((b) => ({
          exchange: b.venue,
          recv_ts: now,
          raw: b.raw,
          error_code: 'VALIDATION',
          error_message: `${b.file}:${b.line}: ${b.reason}`,
        }))
        // Keyed on the message (file:line: reason) and the line: a re-import replaces, never repeats.
        const r = await dlq.replaceRows(rows, { key: ['exchange', 'error_message', 'raw'] })
        summary.dlqRows = r.rows
      }
      summary.badRowSamples = bad.slice(0, 100).map(({ venue: _, ...b }) => b)
      summary.seconds = (performance.now() - started) / 1000
      return summary

      async function commitFor(table: TableName): Promise<ChunkedCommit> {
        let c = commits.get(table)
        if (!c) {
          c = new ChunkedCommit(coreOf(await lake.table(table)), conn)
          commits.set(table, c)
          const seen = new Set<string>()
          for (const s of await c.summaries()) for (const k of Object.keys(s)) if (k.startsWith('k2.import.')) seen.add(k.slice(10))
          recorded.set(table, seen)
        }
        return c
      }

      async function importPart(conn: DuckDBConnection, part: Awaited<ReturnType<typeof inputParts>>['parts'][number], path: string) {
        let format: FormatSpec | null = forced ? FORMATS[forced] : null
        let header: string[] | null = null
        let layout: Layout | null = null
        let firstLine = ''
        const stream = await part.open()
        const input = chunkFiles(stream, {
          dir: tmp,
          chunkBytes,
          signal: opts.signal,
          onBytes: (bytes) => opts.onProgress?.({ file: part.label, bytes, totalBytes: part.size, rows: summary.rowsRead }),
          header: (line) => {
            firstLine = line
            if (!format) {
              const f = detectFormat(part.name, line)
              if (typeof f === 'string') throw new K2Error('VALIDATION', `cannot import ${part.label}: ${f}; pass the format`)
              format = f
            }
            const isHeader = format.isHeader(line)
            if (isHeader) header = line.split(',').map((h) => h.trim())
            return isHeader
          },
        })
        let rowsRead = 0
        let badRows = 0
        const chunks = { direct: 0, staged: 0 }
        // The direct path is tried chunk after chunk until one misses for a reason that will recur
        // (out of order, repeated ids, several partitions, keys already in the lake).
        let tryDirect = true
        let instrument: Instrument | null = null
        let carry: SqlContext['carry'] = null
        const rowsReadBefore = summary.rowsRead
        for await (const chunk of input.chunks) {
          try {
            const f = format as unknown as FormatSpec
            if (!layout) {
              const first = header ? firstDataLineFields(chunk) : fieldsOf(firstLine)
              const l = f.prepare(await first, header)
              if (typeof l === 'string') throw new K2Error('VALIDATION', `cannot import ${part.label} as ${f.id}: ${l}`)
              layout = l
              if (!f.instrumentColumns) instrument = fileInstrument(f, path, part.name, header !== null, opts)
            }
            let found: (BadRow & { rejected?: true })[] = []
            const checkBad = async () => {
              if (found.length === 0) return
              badRows += found.length
              summary.badRows += found.length
              if (onBad === 'stop') {
                const b = found[0] as BadRow
                throw new K2Error(
                  'VALIDATION',
                  `${b.file}:${b.line}: ${b.reason} (line: ${b.raw.slice(0, 200)}); nothing was imported — fix the file, or import with onBadRow 'dlq' (--on-bad-row dlq) to send bad rows to bronze.dlq`,
                  { details: { file: b.file, line: b.line, reason: b.reason, raw: b.raw } },
                )
              }
              if (bad.length + found.length > MAX_BAD)
                throw new K2Error(
                  'VALIDATION',
                  `more than ${MAX_BAD} bad rows in ${part.label}: this is not a ${f.id} file (nothing was imported)`,
                )
              for (const b of found)
                bad.push({ file: b.file, line: b.line, reason: b.reason, raw: b.raw, venue: dlqVenue(b.raw, instrument, opts.venue) })
            }
            const fast = !f.instrumentColumns && f.id !== 'kraken-trades' && f.table !== 'gold.ohlcv'
            let direct: DirectChunk | null = null
            if (fast && tryDirect) {
              const commit = await commitFor(f.table)
              const ctx = await sqlContext(conn, f, instrument, part.label, opts)
              const one = instrument as Instrument // a direct format names its instrument by the file
              direct = await writeChunkDirect(conn, commit, layout.select({ ...ctx, from: guardedCsv(chunk, layout) }), {
                exchange: one.venue,
                symbol: one.symbol,
              })
              if ('finishing' in direct) {
                commit.addFile(direct.finishing, part.label, direct.ids)
                rowsRead += direct.rows
                chunks.direct++
              } else if (direct.miss !== 'rejected' && direct.miss !== 'empty') tryDirect = false
            }
            if (direct && 'finishing' in direct) {
              // Written.
            } else if (fast) {
              // One pass: CSV → checked, mapped, staged rows (bad rows' fields are nulled, then deleted).
              chunks.staged++
              const commit = await commitFor(f.table)
              const ctx = await sqlContext(conn, f, instrument, part.label, opts)
              const select = layout.select({ ...ctx, from: await parsedSql(conn, chunk, layout), extra: ', __why' })
              const { staged, idRange } = await stageChunk(conn, commit.spec, select, async (table) => {
                found = await chunkBadRows(conn, chunk, table, part.label)
              })
              rowsRead += staged.rows + found.length // data lines: good ones and bad ones
              await checkBad()
              // No checkImported here: exchange and symbol are literals validated in JS, side a CASE,
              // ids decimal integers and times checked by the format's reason — nothing left to find.
              await commit.add(staged, part.label, idRange)
            } else {
              chunks.staged++
              await readChunk(conn, chunk, layout)
              found = await chunkBadRows(conn, chunk, 'raw', part.label)
              rowsRead += Number((await conn.runAndReadAll('SELECT count(*) FROM raw')).getRows()[0]?.[0] ?? 0) + found.length
              await checkBad()
              const ctx = await sqlContext(conn, f, instrument, part.label, opts)
              if (f.id === 'kraken-trades') ctx.carry = carry
              const select = layout.select(ctx)
              if (f.table === 'gold.ohlcv') {
                const rows = await conn.runAndReadAll(`SELECT * REPLACE (epoch_us(start) AS start) FROM (${select})`)
                for (const r of rows.getRowObjectsJS()) {
                  const row = { ...r, start: Number(r.start), trades: Number(r.trades) }
                  candles.set(TIMEFRAME_KEY.map((k) => String(row[k as keyof typeof row])).join('\u0000'), row)
                }
              } else {
                const commit = await commitFor(f.table)
                const { staged, idRange } = await stageChunk(conn, commit.spec, select)
                await checkImported(conn, commit.spec, staged, part.label)
                await commit.add(staged, part.label, idRange)
              }
            }
            summary.rowsRead = rowsReadBefore + rowsRead
            if (f.id === 'kraken-trades') carry = await nextCarry(conn, carry)
            opts.onProgress?.({ file: part.label, bytes: chunk.bytes, totalBytes: part.size, rows: summary.rowsRead })
          } finally {
            await conn.run('DROP TABLE IF EXISTS raw')
            await unlink(chunk.path).catch(() => {})
          }
        }
        const f = format as unknown as FormatSpec | null
        if (!f) throw new K2Error('VALIDATION', `${part.label} is empty: nothing to import`)
        const digest = input.digest()
        let skipped = false
        if (f.table !== 'gold.ohlcv' && !coreOf(await lake.table(f.table)).spec.uniqueKey) {
          const commit = await commitFor(f.table)
          const seen = recorded.get(f.table) as Set<string>
          if (seen.has(digest.slice(0, 32))) {
            skipped = true
            await commit.discard(part.label)
            summary.duplicates += rowsRead - badRows
          } else {
            seen.add(digest.slice(0, 32))
            digests.push({ table: f.table, digest, file: part.label })
          }
        }
        return { file: part.label, format: f.id, table: f.table, rowsRead, badRows, sha256: digest, skipped, chunks } satisfies ImportedFile
      }
    })
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/** The number of fields of a chunk's first line (a file with a header: its first data line). */
async function firstDataLineFields(chunk: Chunk): Promise<number> {
  const [line] = (await linesOf(chunk.path, [1])).values()
  return fieldsOf(line ?? '')
}

/** DuckDB's CSV reader on a chunk with the layout's typed columns; rejected lines go to `k2_rejects`, or raise. */
function readCsvSql(chunk: Chunk, layout: Layout, rejects = true): string {
  const columns = `{${layout.columns.map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`).join(', ')}}`
  const keep = rejects ? ", store_rejects = true, rejects_table = 'k2_rejects', rejects_scan = 'k2_reject_scans'" : ''
  return `read_csv(${sqlString(chunk.path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns}${keep})`
}

/** The chunk's rows as a relation that raises at the first bad one (the direct path; the careful one then names them all). */
function guardedCsv(chunk: Chunk, layout: Layout): string {
  return `(SELECT * FROM (SELECT *, ${layout.reason} AS __why FROM ${readCsvSql(chunk, layout, false)}) WHERE CASE WHEN __why IS NULL THEN true ELSE error(__why) END) raw`
}

async function readChunk(conn: DuckDBConnection, chunk: Chunk, layout: Layout): Promise<void> {
  await conn.run('DROP TABLE IF EXISTS k2_rejects; DROP TABLE IF EXISTS k2_reject_scans')
  await conn.run(`CREATE OR REPLACE TEMP TABLE raw AS SELECT *, ${layout.reason} AS __why FROM ${readCsvSql(chunk, layout)}`)
}

/** The chunk's rows, parsed and checked, as a relation: a bad row's fields are NULL (so mapping them cannot fail) and `__why` says why. */
async function parsedSql(conn: DuckDBConnection, chunk: Chunk, layout: Layout): Promise<string> {
  await conn.run('DROP TABLE IF EXISTS k2_rejects; DROP TABLE IF EXISTS k2_reject_scans')
  const nulled = layout.columns.map(([n]) => `CASE WHEN __why IS NULL THEN "${n}" END AS "${n}"`).join(', ')
  return `(SELECT * REPLACE (${nulled}) FROM (SELECT *, ${layout.reason} AS __why FROM ${readCsvSql(chunk, layout)})) raw`
}

/** The chunk's bad rows: lines DuckDB rejected, and parsed rows failing the format's checks (deleted from `raw`). */
async function chunkBadRows(conn: DuckDBConnection, chunk: Chunk, table: string, file: string): Promise<(BadRow & { rejected?: true })[]> {
  const rejects = (
    await conn.runAndReadAll('SELECT line, error_message, csv_line FROM k2_rejects ORDER BY line, column_idx')
  ).getRowObjectsJS()
  const out: (BadRow & { rejected?: true })[] = []
  const rejectedLines: number[] = []
  for (const r of rejects) {
    const line = Number(r.line)
    if (rejectedLines.at(-1) === line) continue // one line, several errors: the first says enough
    rejectedLines.push(line)
    out.push({
      file,
      line: chunk.firstLine + line - 1,
      reason: String(r.error_message),
      raw: String(r.csv_line).replace(/^\r?\n/, ''),
      rejected: true,
    })
  }
  const checks = (
    await conn.runAndReadAll(`SELECT rowid, __why FROM ${table} WHERE __why IS NOT NULL ORDER BY rowid LIMIT ${MAX_BAD + 1}`)
  ).getRows()
  if (checks.length > 0) {
    const lines = checks.map((c) => lineOfRow(Number(c[0]), rejectedLines))
    const text = await linesOf(chunk.path, lines)
    checks.forEach((c, i) => {
      const line = lines[i] as number
      out.push({ file, line: chunk.firstLine + line - 1, reason: String(c[1]), raw: text.get(line) ?? '' })
    })
    await conn.run(`DELETE FROM ${table} WHERE __why IS NOT NULL`)
  }
  return out.sort((a, b) => a.line - b.line)
}

/** How the chunk's rows name venue and symbol: the file's instrument, or a mapping of its own columns. */
async function sqlContext(
  conn: DuckDBConnection,
  format: FormatSpec,
  instrument: Instrument | null,
  file: string,
  opts: { venue?: string; symbol?: string },
): Promise<SqlContext> {
  if (instrument) {
    return {
      venue: sqlString(instrument.venue),
      symbol: sqlString(instrument.symbol),
      ...(instrument.timeframe ? { timeframe: sqlString(instrument.timeframe) } : {}),
    }
  }
  const cols = format.instrumentColumns as { venue: string; symbol: string }
  return instrumentMapping(conn, cols, file, opts)
}

async function instrumentMapping(
  conn: DuckDBConnection,
  cols: { venue: string; symbol: string },
  file: string,
  mappingOpts: { venue?: string; symbol?: string },
) {
  const pairs = (await conn.runAndReadAll(`SELECT DISTINCT "${cols.venue}", "${cols.symbol}" FROM raw`)).getRows()
  const venueCases: string[] = []
  const symbolCases: string[] = []
  for (const [v, s] of pairs) {
    const venue = String(v)
    const native = String(s)
    if (!isVenue(venue))
      throw new K2Error('VALIDATION', `${file} is from venue "${venue}", which K2 does not know: expected one of ${VENUES.join(', ')}`)
    if (mappingOpts.venue !== undefined && mappingOpts.venue !== venue)
      throw new K2Error(
        'VALIDATION',
        `${file} holds ${venue} data but the venue to record is ${mappingOpts.venue}: a venue keeps its identity (its ids are not ${mappingOpts.venue}'s); drop the venue option`,
      )
    const symbol = mappingOpts.symbol ?? toCanonicalSymbol(venue, native)
    if (!symbol)
      throw new K2Error(
        'VALIDATION',
        `cannot map ${venue}'s symbol "${native}" in ${file} to a canonical symbol: pass the symbol, e.g. BTC-USD`,
      )
    venueCases.push(`WHEN ${sqlString(venue)} THEN ${sqlString(venue)}`)
    symbolCases.push(`WHEN "${cols.venue}" = ${sqlString(venue)} AND "${cols.symbol}" = ${sqlString(native)} THEN ${sqlString(symbol)}`)
  }
  if (pairs.length === 0) return { venue: "'binance'", symbol: "'BTC-USDT'" } // no rows: the SQL only has to be valid
  return { venue: `CASE "${cols.venue}" ${venueCases.join(' ')} END`, symbol: `CASE ${symbolCases.join(' ')} END` }
}

/** Kraken ids: the last time of this chunk and how many trades have it (added to the previous run's count). */
async function nextCarry(conn: DuckDBConnection, prev: SqlContext['carry']): Promise<SqlContext['carry']> {
  const [row] = (await conn.runAndReadAll(krakenCarrySql)).getRows()
  if (!row || row[0] === null) return prev
  const ts = BigInt(row[0] as bigint)
  const n = Number(row[1])
  return { ts, count: n + (prev && prev.ts === ts ? prev.count : 0) }
}

/** The venue a bad row is recorded under in bronze.dlq: the file's, else the line's first field (Tardis), else binance. */
function dlqVenue(raw: string, instrument: Instrument | null, given: string | undefined): string {
  if (instrument) return instrument.venue
  if (given !== undefined) return given
  const first = raw.split(',')[0]
  return isVenue(first) ? first : 'binance'
}
