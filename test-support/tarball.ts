import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

/**
 * The files of an npm tarball (`.tgz`), by path inside the package (`package/` stripped), with their
 * bytes. Reads ustar, pax (`x`) and GNU long-name (`L`) headers: what `pnpm pack` and `npm pack`
 * write. Directories and links are left out; a package tarball holds regular files only.
 */
export function readTarball(file: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(file))
  const files = new Map<string, Buffer>()
  let longName: string | undefined
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break // two zero blocks end the archive
    const size = Number.parseInt(text(header, 124, 12) || '0', 8)
    const type = String.fromCharCode(header[156] ?? 0)
    const body = tar.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === 'x') {
      longName = paxPath(body.toString('utf8')) ?? longName
      continue
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '')
      continue
    }
    const prefix = text(header, 257, 6).startsWith('ustar') ? text(header, 345, 155) : ''
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100))
    longName = undefined
    if (type === '0' || type === '\0') files.set(name.replace(/^[^/]+\//, ''), Buffer.from(body))
  }
  return files
}

function text(block: Buffer, start: number, length: number): string {
  return block
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '')
    .trim()
}

/** The `path` record of a pax extended header (`"<len> path=<value>\n"` records). */
function paxPath(records: string): string | undefined {
  for (const line of records.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line)
    if (m) return m[1]
  }
  return undefined
}
