// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib): here, not node:zlib, so the main
// entry stays portable to Deno and browsers.
const TABLE = (() => {
  const t = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  return t
})()

/** Running CRC state: start with `CRC_INIT`, feed bytes with `crcByte`, finish with `crcFinal`. */
export const CRC_INIT = -1

/** The unsigned 32-bit result. */
export function crcFinal(crc: number): number {
  return (crc ^ -1) >>> 0
}

/** Feeds one byte. */
export function crcByte(crc: number, byte: number): number {
  return (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
}
