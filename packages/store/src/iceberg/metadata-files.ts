import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { parseMetadata, type TableMetadata } from './table-metadata.js'

/**
 * The metadata versions of any Iceberg table in a folder, however its writer named them: the
 * Hadoop catalog's `vN.metadata.json` (Spark, Java, K2) or the `NNNNN-<uuid>.metadata.json` of
 * pyiceberg's SQL/REST catalogs and Java's other catalogs, which write no version hint. The current
 * version is the highest number; the hint is not needed.
 */

export interface MetadataFile {
  version: number
  file: string
}

const NAME_RE = /^(?:v(\d+)|(\d+)-[0-9a-f-]{36})\.metadata\.json$/

/** Every metadata file of the table at `dir`, oldest first. */
export async function metadataFiles(dir: string): Promise<MetadataFile[]> {
  const metadataDir = join(dir, 'metadata')
  let names: string[]
  try {
    names = await readdir(metadataDir)
  } catch (err) {
    throw new K2Error('NOT_FOUND', `${dir} is not an Iceberg table: it has no metadata/ folder`, { cause: err, details: { dir } })
  }
  const out: MetadataFile[] = []
  for (const name of names) {
    const m = NAME_RE.exec(name)
    if (m) out.push({ version: Number(m[1] ?? m[2]), file: join(metadataDir, name) })
  }
  if (out.length === 0) {
    const gz = names.some((n) => n.endsWith('.gz') || n.includes('.gz.'))
    throw new K2Error(
      gz ? 'UNSUPPORTED' : 'NOT_FOUND',
      gz
        ? `${metadataDir} holds only gzip-compressed metadata, which K2 does not read: write it uncompressed (write.metadata.compression-codec=none)`
        : `${metadataDir} has no vN.metadata.json or NNNNN-<uuid>.metadata.json: is this an Iceberg table folder?`,
      { details: { dir } },
    )
  }
  return out.sort((a, b) => a.version - b.version)
}

/** Reads and checks one metadata file (exact 64-bit ids; a bad file is CORRUPT_TABLE). */
export async function readMetadataFile(file: string): Promise<TableMetadata> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new K2Error('NOT_FOUND', `table metadata ${file} does not exist`, { cause: err })
  }
  return parseMetadata(text, file)
}
