import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// Executes examples/notebooks/quickstart.ipynb headless in Deno's Jupyter kernel, through nbconvert,
// against the built packages, and checks what its cells showed. Needs Deno, its kernel and nbconvert
// (docs/notebooks.md); without them the test is skipped with a note, unless K2_REQUIRE_NOTEBOOK=1
// (set by .ci/run), where their absence fails.

const root = fileURLToPath(new URL('../../../', import.meta.url))
const notebooks = join(root, 'examples', 'notebooks')
const required = process.env.K2_REQUIRE_NOTEBOOK === '1'
const INSTALL_HINT =
  'install Deno (npm install -g deno), its Jupyter kernel (deno jupyter --install) and nbconvert ' +
  '(apt-get install jupyter-nbconvert python3-ipykernel); see docs/notebooks.md'

interface Output {
  output_type: string
  name?: string
  text?: string | string[]
  data?: Record<string, string | string[]>
  ename?: string
  evalue?: string
}
interface Cell {
  cell_type: string
  id: string
  source: string | string[]
  execution_count?: number | null
  outputs?: Output[]
}
interface Notebook {
  cells: Cell[]
  metadata: { kernelspec?: { name: string } }
}

const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''))
const readNotebook = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Notebook

/** What this machine lacks to run the notebook, each said as what to install. */
function missingTools(): string[] {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0
  const missing: string[] = []
  if (!ok('deno', ['--version'])) missing.push('deno is not on PATH')
  if (!ok('jupyter', ['nbconvert', '--version'])) missing.push('jupyter nbconvert does not run')
  else {
    const paths = spawnSync('jupyter', ['--paths', '--json'], { encoding: 'utf8' })
    const data = paths.status === 0 ? ((JSON.parse(paths.stdout) as { data: string[] }).data ?? []) : []
    if (!data.some((dir) => existsSync(join(dir, 'kernels', 'deno', 'kernel.json'))))
      missing.push("Deno's Jupyter kernel is not installed (deno jupyter --install)")
  }
  return missing
}

const missing = missingTools()
const canRun = missing.length === 0
if (!canRun && !required) console.warn(`notebook tests skipped: ${missing.join('; ')}. To run them, ${INSTALL_HINT}.`)

const work = mkdtempSync(join(tmpdir(), 'k2-notebook-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/**
 * Runs one notebook through nbconvert in Deno's kernel (the kernel's working directory is the
 * notebook's own) and returns the executed copy. Rejects, with nbconvert's report, when a cell raises.
 */
async function execute(notebook: string, timeoutS = 60): Promise<Notebook> {
  const name = (notebook.split(/[\\/]/).at(-1) as string).replace(/\.ipynb$/, '')
  const env = {
    ...process.env,
    PYTHONPATH: [notebooks, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1', // plain text/plain from Deno's inspect
    PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ beside the preprocessor
  }
  const args = [
    'nbconvert',
    '--to',
    'notebook',
    // `--execute`, with a preprocessor that keeps the results Deno's kernel publishes after "idle"
    '--Exporter.preprocessors=["deno_execute.DenoExecutePreprocessor"]',
    '--ExecutePreprocessor.kernel_name=deno',
    `--ExecutePreprocessor.timeout=${timeoutS}`,
    '--output-dir',
    work,
    '--output',
    `${name}.executed`,
    notebook,
  ]
  try {
    await promisify(execFile)('jupyter', args, { env, maxBuffer: 16 << 20 })
  } catch (err) {
    const e = err as Error & { stderr?: string }
    throw new Error(`nbconvert failed: ${e.stderr?.slice(-4000) ?? e.message}`)
  }
  return readNotebook(join(work, `${name}.executed.ipynb`))
}

/** The text of every `<td>` of each body row of the first HTML table in `html`. */
function htmlRows(html: string): string[][] {
  const body = html.split('<tbody>')[1]?.split('</tbody>')[0] ?? ''
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...(tr[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1] ?? ''),
  )
}

function htmlHeader(html: string): string[] {
  const head = html.split('<thead>')[1]?.split('</thead>')[0] ?? ''
  return [...head.matchAll(/<th>([\s\S]*?)<\/th>/g)].map((m) => m[1] ?? '')
}

describe('examples/notebooks/quickstart.ipynb', () => {
  const source = join(notebooks, 'quickstart.ipynb')

  it('is committed for the Deno kernel with its outputs cleared (they would name the machine that ran it)', () => {
    const nb = readNotebook(source)
    expect(nb.metadata.kernelspec?.name).toBe('deno')
    const code = nb.cells.filter((c) => c.cell_type === 'code')
    expect(code.length).toBeGreaterThan(5)
    for (const cell of code) {
      expect(cell.outputs, cell.id).toEqual([])
      expect(cell.execution_count ?? null, cell.id).toBeNull()
    }
    // K2 is imported as a user would, by package name
    expect(text(code[0]?.source)).toMatch(/from '@k2\/store'/)
  })

  it.runIf(required || canRun)('can run here: Deno, its Jupyter kernel and nbconvert are installed', () => {
    expect(missing, `${missing.join('; ')}: ${INSTALL_HINT}`).toEqual([])
  })

  it.runIf(canRun)(
    'type-checks against the built packages (deno check of its code cells)',
    async () => {
      // Beside the notebook (in a git-ignored folder), so examples/deno.json and examples/node_modules apply.
      const dir = join(notebooks, '.k2-tmp')
      mkdirSync(dir, { recursive: true })
      const file = join(dir, 'quickstart.check.ts')
      const code = readNotebook(source).cells.filter((c) => c.cell_type === 'code')
      writeFileSync(file, code.map((c) => text(c.source)).join('\n\n'))
      try {
        // from the notebook's folder, as the kernel runs (from the root, Deno would take the root tsconfig's paths to src/)
        const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
        await promisify(execFile)('deno', ['check', file], { cwd: notebooks, env })
      } catch (err) {
        const e = err as Error & { stderr?: string }
        expect.fail(`deno check found errors in the notebook's code:\n${e.stderr ?? e.message}`)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    120_000,
  )

  describe.runIf(canRun)('executed headless in Deno', () => {
    // One run for all the checks below (a failed run fails each of them with nbconvert's report).
    let executed: Promise<Notebook> | undefined
    const run = () => {
      for (const pkg of ['core', 'feeds', 'query', 'store'])
        if (!existsSync(join(root, 'packages', pkg, 'dist', 'index.js')))
          throw new Error(`@k2/${pkg} is not built: run "pnpm build" first (pnpm test does)`)
      executed ??= execute(source)
      return executed
    }
    const cell = async (id: string) => {
      const found = (await run()).cells.find((c) => c.id === id)
      if (!found) throw new Error(`the notebook has no cell ${id}`)
      return found
    }
    /** The HTML of the value a cell showed as its result. */
    const resultHtml = async (id: string) => {
      const result = (await cell(id)).outputs?.find((o) => o.output_type === 'execute_result')
      expect(result?.data?.['text/plain'], `cell ${id} showed no result`).toBeDefined()
      const html = text(result?.data?.['text/html'])
      expect(html, `cell ${id} showed no HTML table`).toContain('<table')
      return html
    }

    it('runs every code cell, without an error or anything on stderr', async () => {
      const nb = await run()
      for (const c of nb.cells.filter((c) => c.cell_type === 'code')) {
        expect(c.execution_count, `cell ${c.id} did not run`).toEqual(expect.any(Number))
        const bad = (c.outputs ?? []).filter((o) => o.output_type === 'error' || o.name === 'stderr')
        expect(
          bad.map((o) => `${o.ename ?? ''} ${o.evalue ?? ''} ${text(o.text)}`),
          `cell ${c.id}`,
        ).toEqual([])
      }
    }, 180_000)

    it('writes the simulated trades into the lake', async () => {
      const out = text((await cell('pipe')).outputs?.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'])
      expect(out).toMatch(/trades: 150000,[\s\S]*duplicateTrades: 0,/)
    }, 180_000)

    it('shows 1-minute candles as an HTML table, one row per minute', async () => {
      const html = await resultHtml('candles')
      expect(htmlHeader(html)).toEqual(['start', 'open', 'high', 'low', 'close', 'volume', 'trades'])
      const rows = htmlRows(html)
      expect(rows.length).toBeGreaterThanOrEqual(2)
      expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => `2026-01-05T12:0${i}:00.000000Z`))
      for (const [, open, high, low, close, , trades] of rows) {
        expect(Number(high)).toBeGreaterThanOrEqual(Math.max(Number(open), Number(close), Number(low)))
        expect(Number(trades)).toBeGreaterThan(0)
      }
    }, 180_000)

    it('shows the lineage of the candles: the latest snapshot and a fingerprint', async () => {
      const rows = htmlRows(await resultHtml('lineage'))
      const history = htmlRows(await resultHtml('history'))
      expect(rows.find((r) => r[0] === 'fingerprint')?.[1]).toMatch(/^[0-9a-f]{64}$/)
      expect(rows.find((r) => r[0] === 'read')?.[1]).toBe(`read silver.trades @ snapshot ${history.at(-1)?.[0]}`)
    }, 180_000)

    it('travels back in time: an earlier snapshot counts fewer trades than the latest', async () => {
      const history = htmlRows(await resultHtml('history'))
      expect(history.length).toBeGreaterThanOrEqual(2)
      const rows = htmlRows(await resultHtml('as-of'))
      expect(rows.map((r) => r[0])).toEqual(['asOf(first snapshot)', 'latest'])
      const [then, now] = rows.map((r) => Number(r[2]))
      expect(now).toBe(150_000)
      expect(then).toBeGreaterThan(0)
      expect(then).toBeLessThan(now as number)
      expect(rows.map((r) => r[1])).toEqual([history[0]?.[0], history.at(-1)?.[0]])
    }, 180_000)

    it("shows explain()'s file choice: files read and files skipped, with the reason", async () => {
      const html = await resultHtml('explain')
      expect(htmlHeader(html)).toEqual(['table', 'snapshot', 'file', 'rows', 'read', 'why'])
      const rows = htmlRows(html)
      expect(rows.some((r) => r[4] === 'true')).toBe(true)
      const skipped = rows.filter((r) => r[4] === 'false')
      expect(skipped.length).toBeGreaterThan(0)
      for (const r of skipped) expect(r[5]).toMatch(/ts bounds is/)
    }, 180_000)

    it('names nothing of the machine in what it shows (no lake path)', async () => {
      const shown = JSON.stringify((await run()).cells.map((c) => c.outputs ?? []))
      expect(shown).not.toContain('k2-quickstart-')
      expect(shown).not.toContain(root)
    }, 180_000)
  })
})

describe.runIf(canRun)('executing a Deno notebook headless', () => {
  const notebook = (name: string, cells: string[]) => {
    const path = join(work, name)
    const nb = {
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
      metadata: { kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' } },
      nbformat: 4,
      nbformat_minor: 5,
    }
    writeFileSync(path, JSON.stringify(nb))
    return path
  }

  it("keeps every cell's result, though Deno's kernel can publish one after the cell went idle", async () => {
    const values = Array.from({ length: 12 }, (_, i) => i + 1)
    const nb = await execute(notebook('results.ipynb', ['const f = (x: unknown) => x', ...values.map((v) => `f(\n  [${v}],\n)`)]))
    const shown = nb.cells.slice(1).map((c) => text(c.outputs?.[0]?.data?.['text/plain']))
    expect(shown).toEqual(values.map((v) => `[ ${v} ]`))
  }, 120_000)

  it('fails when a cell throws, and says which error', async () => {
    const path = notebook('throws.ipynb', ['1 + 1', "throw new Error('boom from a cell')", '2 + 2'])
    await expect(execute(path)).rejects.toThrow(/boom from a cell/)
  }, 120_000)
})
