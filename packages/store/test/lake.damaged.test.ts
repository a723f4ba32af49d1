import { spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { K2Error } from '@k2/core'
import { openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAvroFile, encodeAvroFile } from '../src/iceberg/avro-file.js'
import { MANIFEST_LIST_SCHEMA } from '../src/iceberg/manifest-schemas.js'
import { makeTrades, tempDir, treeDigest } from './helpers.js'

// Damaged metadata and a lake that cannot be written: each read path answers with a K2Error that
// names what is damaged and what to do, never a TypeError, and never a silently shorter answer.

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  )

describe('damaged metadata', () => {
  let dir: string
  let cleanup: () => void
  let root: string
  const metaDir = () => join(root, 'silver', 'trades', 'metadata')
  const latest = () => join(metaDir(), 'v3.metadata.json')

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    root = join(dir, 'lake')
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(100))
    await t.append(makeTrades(100, { startId: 1000 }))
    await lake.close()
  })
  afterEach(() => cleanup())

  it('a snapshot without manifest-list is CORRUPT_TABLE naming it, from scan(), files() and query()', async () => {
    const m = JSON.parse(readFileSync(latest(), 'utf8'))
    const victim = m.snapshots[0]['snapshot-id']
    delete m.snapshots[0]['manifest-list']
    writeFileSync(latest(), JSON.stringify(m))
    const lake = await openLake(root)
    for (const read of [
      async () => (await lake.table('silver.trades')).scan(),
      () => lake.files('silver.trades'),
      () => lake.query('silver.trades').rows(),
      () => lake.sql`select count(*) from ${lake.ref('silver.trades')}`.rows(),
    ]) {
      const err = await failure(read())
      expect(codeOf(err)).toBe('CORRUPT_TABLE')
      expect(err?.message).toContain(`snapshot ${victim} has no "manifest-list"`)
      expect(err?.message).toContain('v3.metadata.json')
      expect(err?.message).toMatch(/restore it from a backup/)
    }
    await lake.close()
  })

  it('other malformed snapshots, refs and logs are CORRUPT_TABLE when loaded', async () => {
    const good = readFileSync(latest(), 'utf8')
    type Json = { snapshots: Record<string, unknown>[]; refs: { main: Record<string, unknown> } } & Record<string, unknown>
    const edits: [string, (m: Json) => void, RegExp][] = [
      ['summary', (m) => delete m.snapshots[1]?.summary, /no summary/],
      ['sequence', (m) => Object.assign(m.snapshots[1] ?? {}, { 'sequence-number': 'x' }), /sequence-number/],
      ['ref', (m) => Object.assign(m.refs.main, { 'snapshot-id': 42 }), /ref "main" points to snapshot 42/],
      ['log', (m) => Object.assign(m, { 'metadata-log': {} }), /"metadata-log" is/],
      ['twice', (m) => m.snapshots.push(m.snapshots[0] ?? {}), /appears twice/],
      ['not an object', (m) => m.snapshots.splice(0, 1, 7 as never), /snapshot #0 is 7/],
    ]
    for (const [name, edit, message] of edits) {
      const m = JSON.parse(good) as Json
      edit(m)
      writeFileSync(latest(), JSON.stringify(m))
      const lake = await openLake(root)
      const err = await failure(lake.table('silver.trades'))
      expect(codeOf(err), name).toBe('CORRUPT_TABLE')
      expect(err?.message, name).toMatch(message)
      await lake.close()
    }
  })

  it('garbage for a manifest path in a manifest list is CORRUPT_TABLE naming the list and what to do', async () => {
    const m = JSON.parse(readFileSync(latest(), 'utf8'))
    const snap = m.snapshots.at(-1)
    const list = decodeAvroFile<Record<string, unknown>>(readFileSync(fileURLToPath(snap['manifest-list'])))
    // A list as another engine or a hand edit would leave it: a name without K2's checksum.
    const listPath = join(metaDir(), 'snap-edited.avro')
    const edit = (path: string) => {
      writeFileSync(
        listPath,
        encodeAvroFile(
          MANIFEST_LIST_SCHEMA,
          list.records.map((r, i) => (i === 0 ? { ...r, manifest_path: path } : r)),
          list.metadata,
        ),
      )
      snap['manifest-list'] = `file://${listPath}`
      writeFileSync(latest(), JSON.stringify(m))
    }
    for (const garbage of ['file:///a%2Fb-m0.avro', 'http://host/x-m0.avro', '\u0007garbage', '', 'file:///x\u0000y']) {
      edit(garbage)
      const lake = await openLake(root)
      const t = await lake.table('silver.trades')
      for (const read of [() => t.scan(), () => t.files(), () => lake.query('silver.trades').rows()]) {
        const err = await failure(read())
        expect(codeOf(err), JSON.stringify(garbage)).toBe('CORRUPT_TABLE')
        expect(err?.message).toContain(listPath)
        expect(err?.message).toContain(`snapshot ${snap['snapshot-id']}`)
        expect(err?.message).toMatch(/(manifest|it names manifest).*restore it from a backup/)
        expect(err?.message).not.toMatch(/checksum/)
      }
      const before = treeDigest(root)
      expect(codeOf(await failure(t.append(makeTrades(3, { startId: 7000 }))))).toBe('CORRUPT_TABLE')
      expect(treeDigest(root)).toBe(before)
      await lake.close()
    }
    // a well-formed path to no file: the manifest is named, with what to do
    edit(`file://${join(metaDir(), 'gone-m0.avro')}`)
    let lake = await openLake(root)
    let err = await failure((await lake.table('silver.trades')).scan())
    expect(codeOf(err)).toBe('CORRUPT_TABLE')
    expect(err?.message).toMatch(/gone-m0\.avro is missing.*restore it, or roll back/)
    await lake.close()
    // the same edit under the list's own name breaks the checksum K2 named it with
    const named = fileURLToPath(JSON.parse(readFileSync(latest(), 'utf8')).snapshots[0]['manifest-list'])
    const first = decodeAvroFile<Record<string, unknown>>(readFileSync(named))
    writeFileSync(named, encodeAvroFile(MANIFEST_LIST_SCHEMA, first.records, { ...first.metadata, 'sequence-number': '99' }))
    lake = await openLake(root)
    const [oldest] = await (await lake.table('silver.trades')).history()
    err = await failure((await lake.table('silver.trades')).scan({ snapshot: oldest?.snapshotId as bigint }))
    expect(codeOf(err)).toBe('CORRUPT_TABLE')
    expect(err?.message).toMatch(/does not match the checksum it was written with/)
    await lake.close()
  })
})

describe('a lake that cannot be written', () => {
  const { dir, cleanup } = tempDir()
  const root = join(dir, 'lake')
  const script = fileURLToPath(new URL('./scripts/read-only-reader.ts', import.meta.url))
  const tsx = join(fileURLToPath(new URL('../../../', import.meta.url)), 'node_modules', '.bin', 'tsx')
  afterEach(() => cleanup())

  it('reads a table not created yet as empty, reads existing ones, and refuses writes with IO', async () => {
    const lake = await openLake(root)
    await (await lake.table('silver.trades')).append(makeTrades(50))
    await lake.close()
    const before = treeDigest(root)
    // Write permission is taken away. Root ignores permissions, so as root the reader runs without the
    // capabilities that override them (setpriv, from util-linux): it stays root, so it can still read
    // the checkout wherever CI put it (running it as nobody needs a checkout other users can read).
    const asRoot = process.getuid?.() === 0
    const walk = (d: string, mode: number) => {
      chmodSync(d, mode)
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name), mode)
    }
    chmodSync(dir, 0o755)
    walk(root, 0o555)
    const [command, args] = asRoot
      ? ['setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search', '--', tsx, script, root]]
      : [tsx, [script, root]]
    const run = spawnSync(command, args, { encoding: 'utf8', cwd: dir, timeout: 60_000 })
    if (run.error) throw new Error(`could not run the read-only reader (${command}): ${run.error.message}`)
    walk(root, 0o755)
    expect(run.stderr).toBe('')
    const results = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { op: string; ok: boolean; value?: unknown; name?: string; code?: string; message?: string })
        .map((r) => [r.op, r]),
    )
    expect(results['book.scan']).toMatchObject({ ok: true, value: 0 })
    expect(results['book.files']).toMatchObject({ ok: true, value: 0 })
    expect(results['book.history']).toMatchObject({ ok: true, value: 0 })
    expect(results['book.query']).toMatchObject({ ok: true, value: 0 })
    expect(results['trades.scan']).toMatchObject({ ok: true, value: 50 })
    expect(results['trades.sql']).toMatchObject({ ok: true, value: 50 })
    for (const op of ['book.append', 'trades.append', 'trades.writer']) {
      expect(results[op], op).toMatchObject({ ok: false, name: 'K2Error', code: 'IO' })
      expect(results[op]?.message, op).toMatch(/not writable|permission/)
    }
    expect(treeDigest(root)).toBe(before)
  }, 90_000)
})
