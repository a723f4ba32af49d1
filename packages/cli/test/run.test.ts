import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { COMMANDS, run } from '@k2/cli'
import { K2Error } from '@k2/core'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

describe('k2 command', () => {
  it('prints help listing every command', async () => {
    const lines: string[] = []
    expect(await run(['help'], (l) => lines.push(l))).toBe(0)
    for (const name of Object.keys(COMMANDS)) expect(lines.join('\n')).toContain(name)
  })

  it('rejects an unknown command with a VALIDATION error that lists the known ones', async () => {
    await expect(run(['frobnicate'], () => {})).rejects.toSatisfy(
      (e: unknown) => K2Error.isInstance(e) && e.code === 'VALIDATION' && e.message.includes('k2 help'),
    )
  })

  it('the built executable prints its version and exits 2 on a bad command', () => {
    expect(execFileSync(process.execPath, [bin, 'version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/)
    const bad = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('VALIDATION')
  })
})
