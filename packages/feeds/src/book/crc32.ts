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

/** Running CRC state: start with `CRC_INIT`, feed text with `crcAscii`, finish with `crcFinal`. */
export const CRC_INIT = -1

/** Feeds the characters of `text` from `start` as bytes (the checksum input is ASCII digits). */
export function crcAscii(crc: number, text: string, start = 0): number {
  let c = crc
  for (let i = start; i < text.length; i++) c = (TABLE[(c ^ text.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8)
  return c
}

/** The unsigned 32-bit result. */
export function crcFinal(crc: number): number {
  return (crc ^ -1) >>> 0
}
