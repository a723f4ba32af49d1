import { K2Error } from '@k2/core'
import type { ResolvePath } from './file-uri.js'
import type { DataFileRecord } from './manifest-schemas.js'
import { readManifest, readManifestList } from './manifests.js'
import { normalizeUri } from './table-location.js'
import type { Snapshot } from './table-metadata.js'

/**
 * What a reader must read for one snapshot of any Iceberg v2 table: its live data files, each with
 * the position-delete files that apply to it. Sequence numbers are inherited from the manifest list
 * where an entry leaves them null; a position delete applies to a data file whose data sequence
 * number is at most its own, and names it by the exact `file_path` (the spec's rules).
 */

export interface PlannedFile {
  file: DataFileRecord
  /** The local path to read. */
  path: string
  sequenceNumber: number
  /** Position-delete files that apply to this file (local paths). */
  deletes: string[]
}

interface DeleteFile {
  file: DataFileRecord
  path: string
  sequenceNumber: number
}

export async function planScan(snapshot: Snapshot | undefined, resolve: ResolvePath): Promise<PlannedFile[]> {
  if (!snapshot) return []
  const data: PlannedFile[] = []
  const deletes: DeleteFile[] = []
  for (const m of await readManifestList(snapshot, resolve)) {
    for (const e of await readManifest(m, resolve)) {
      if (e.status === 2) continue
      const f = e.data_file
      const sequenceNumber = e.sequence_number ?? m.sequence_number
      const kind = m.content === 0 ? f.content : f.content || 1
      if (kind === 0) data.push({ file: f, path: resolve(f.file_path), sequenceNumber, deletes: [] })
      else if (kind === 1) deletes.push({ file: f, path: resolve(f.file_path), sequenceNumber })
      else {
        throw new K2Error(
          'UNSUPPORTED',
          `snapshot ${snapshot['snapshot-id']} has equality delete files (${f.file_path}), which K2 does not apply yet: read it with an engine that does, or rewrite the table's deletes (e.g. Spark's rewrite_data_files)`,
          { details: { file: f.file_path } },
        )
      }
    }
  }
  for (const d of deletes) {
    // A delete file that targets one data file says so (referenced_data_file, or equal path bounds).
    const target = (d.file as DataFileRecord & { referenced_data_file?: string | null }).referenced_data_file
    for (const f of data) {
      if (f.sequenceNumber > d.sequenceNumber) continue
      if (target && normalizeUri(target) !== normalizeUri(f.file.file_path)) continue
      f.deletes.push(d.path)
    }
  }
  return data
}
