import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DuckDBInstance } from '@duckdb/node-api'
import { importFiles, openLake } from '@k2/store'
import yauzl from 'yauzl'
import yazl from 'yazl'
import { writeSection } from './harness.js'

// A zipped Binance spot trades file of N rows (and one of 2N, to show memory does not grow with the
// input) imported into a fresh lake: rows/s and peak RSS sampled every 20 ms during the import. The
// reference, in the same run: unzipping the same archive to a CSV file (yauzl → disk), and DuckDB's
// own `COPY (SELECT * FROM read_csv(…)) TO parquet` of that CSV, both on the same 2 DuckDB threads.
// K2_BENCH_IMPORT_ROWS overrides N (default 5M).
const N = Number(process.env.K2_BENCH_IMPORT_ROWS ?? 5_000_000)
const T0 = Date.UTC(2024, 0, 1)

function* lines(n: number): Generator<string> {
  const batch: string[] = []
  for (let i = 0; i < n; i++) {
    const price = (42000 + (i % 100_000) / 100).toFixed(2)
    batch.push(
      `${1 + i},${price},0.${String(1 + (i % 99_999)).padStart(5, '0')},${price},${T0 + Math.floor(i / 60)},${i % 3 === 0 ? 'True' : 'False'},True`,
    )
    if (batch.length === 20_000) {
      yield `${batch.join('\n')}\n`
      batch.length = 0
    }
  }
  if (batch.length) yield `${batch.join('\n')}\n`
}

async function writeZip(path: string, n: number): Promise<void> {
  const zip = new yazl.ZipFile()
  zip.addReadStream(Readable.from(lines(n)), 'BTCUSDT-trades-2024-01-01.csv')
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(path))
}

function unzipTo(zipPath: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err)
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, s) => (e || !s ? reject(e) : pipeline(s, createWriteStream(out)).then(resolve, reject))),
      )
      zip.readEntry()
    })
  })
}

interface Run {
  rows: number
  seconds: number
  baseMB: number
  peakMB: number
  chunks: { direct: number; staged: number }
}
const RUNS = 3

async function importOnce(dir: string, zip: string): Promise<Run> {
  const lake = await openLake(join(dir, `lake-${Math.random().toString(36).slice(2)}`), { threads: 2 })
  global.gc?.()
  const baseMB = process.memoryUsage().rss / 2 ** 20
  let peak = baseMB
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)
  }, 20)
  const t0 = performance.now()
  const r = await importFiles(lake, [zip])
  const seconds = (performance.now() - t0) / 1000
  clearInterval(timer)
  await lake.close()
  return { rows: r.rowsWritten, seconds, baseMB, peakMB: peak, chunks: r.files[0]?.chunks ?? { direct: 0, staged: 0 } }
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k2-bench-import-'))
  try {
    const sizes = [N, 2 * N]
    const results: { n: number; zipMB: number; csvMB: number; k2: Run; unzipS: number; duckS: number }[] = []
    for (const n of sizes) {
      const zip = join(dir, `BTCUSDT-trades-2024-01-${n === N ? '01' : '02'}.zip`)
      await writeZip(zip, n)
      // The median of RUNS imports, each into a fresh lake; the highest peak RSS of them.
      const runs: Run[] = []
      for (let i = 0; i < RUNS; i++) runs.push(await importOnce(dir, zip))
      runs.sort((a, b) => a.seconds - b.seconds)
      const k2 = { ...(runs[Math.floor(RUNS / 2)] as Run), peakMB: Math.max(...runs.map((r) => r.peakMB)) }
      const csv = join(dir, 'ref.csv')
      let t = performance.now()
      await unzipTo(zip, csv)
      const unzipS = (performance.now() - t) / 1000
      const db = await DuckDBInstance.create(':memory:', { threads: '2' })
      const conn = await db.connect()
      t = performance.now()
      await conn.run(
        `COPY (SELECT * FROM read_csv('${csv}', header = false, columns = {'id': 'BIGINT', 'price': 'DOUBLE', 'qty': 'DOUBLE', 'quote_qty': 'DOUBLE', 'time': 'BIGINT', 'is_buyer_maker': 'BOOLEAN', 'is_best_match': 'BOOLEAN'})) TO '${join(dir, 'ref.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
      )
      const duckS = (performance.now() - t) / 1000
      conn.closeSync()
      db.closeSync()
      results.push({ n, zipMB: statSync(zip).size / 2 ** 20, csvMB: statSync(csv).size / 2 ** 20, k2, unzipS, duckS })
      rmSync(csv)
      rmSync(zip)
    }
    const f = (x: number) => Math.round(x).toLocaleString('en-US')
    const text = [
      `### import: a zipped Binance trades CSV (${f(N)} and ${f(2 * N)} rows) into silver.trades, 2 DuckDB threads`,
      '',
      `K2 import s is the median of ${RUNS} imports into fresh lakes; the references run once (the machine is shared: compare the ratios in a row, not seconds across runs). K2 = importFiles end to end: unzip stream (CRC-checked) → line-aligned chunk files → per chunk, one DuckDB COPY from CSV through the format's checks and mapping to ZSTD Parquet, read back to check order, ids and partition (the direct path; the chunk counts below say how many took it) → one Iceberg commit. Reference: unzipping alone (yauzl to disk), and DuckDB COPY (SELECT * FROM read_csv(csv)) TO parquet of the unzipped CSV (no checks, no dedup, no commit). Peak RSS is sampled every 20 ms during each import; "base" is the RSS before it. Target: ≥ 1M rows/s with flat RSS.`,
      '',
      '| rows | zip MiB | CSV MiB | K2 import s | K2 rows/s | unzip s | DuckDB CSV→Parquet s | K2 ÷ DuckDB | RSS base MiB | RSS peak MiB |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map(
        (r) =>
          `| ${f(r.n)} | ${f(r.zipMB)} | ${f(r.csvMB)} | ${r.k2.seconds.toFixed(1)} | ${f(r.n / r.k2.seconds)} | ${r.unzipS.toFixed(1)} | ${r.duckS.toFixed(1)} | ${(r.duckS / r.k2.seconds).toFixed(2)}× | ${f(r.k2.baseMB)} | ${f(r.k2.peakMB)} |`,
      ),
      '',
      `Peak RSS at ${f(2 * N)} rows ÷ at ${f(N)} rows: ${((results[1]?.k2.peakMB ?? 0) / (results[0]?.k2.peakMB ?? 1)).toFixed(2)} (flat is 1.0). Rows written: ${results.map((r) => f(r.k2.rows)).join(', ')}. Chunks direct / staged: ${results.map((r) => `${r.k2.chunks.direct} / ${r.k2.chunks.staged}`).join(', ')}.`,
    ].join('\n')
    console.log(`\n${text}`)
    writeSection('import', text)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
