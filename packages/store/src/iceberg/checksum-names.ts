import { crc32 } from 'node:zlib'

/**
 * K2 names the files it writes after the CRC-32 of their bytes (`…-c<8 hex>.parquet`,
 * `…-c<8 hex>-m0.avro`, `snap-…-c<8 hex>.avro`): neither Parquet as DuckDB writes it nor an
 * uncompressed Avro manifest carries a checksum, and a damaged byte would otherwise read as a
 * wrong value or a wrong bound. Iceberg leaves file names free, so the checksum travels in every
 * path that names the file (manifests, lists, copies) and other engines ignore it.
 */

const CHECKSUM = /-c([0-9a-f]{8})(?:-m\d+)?\.(?:avro|parquet)$/

export const checksumOf = (bytes: Uint8Array): number => crc32(bytes)

/** The `-c<crc>` part of a name. */
export const checksumTag = (crc: number): string => `-c${crc.toString(16).padStart(8, '0')}`

/** The checksum a path was named with, or null for a file K2 did not name so. */
export function namedChecksum(path: string): number | null {
  const m = CHECKSUM.exec(path)
  return m ? Number.parseInt(m[1] as string, 16) : null
}
