// No real Kraken v2 frames exist in the data set: these helpers derive v2 `trade` frames from the real
// v1 rows, keeping the price and volume text as v2 prints them (JSON numbers with the pair's
// precision) and the exact time. v1 has no trade ids, so ids are numbered per pair from an arbitrary start.

/** A real v1 trade row: [price, volume, "sec.micros", side, ordType, misc]. */
export type V1Row = [string, string, string, string, string, string]

/** "1617666461.465618" → "2021-04-05T23:47:41.465618Z", exactly, by string arithmetic on the seconds. */
export function v1TimeToIso(t: string): string {
  const [sec = '', frac = ''] = t.split('.')
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.padEnd(6, '0')}Z`
}

/** One v1 frame, as v2 rows (text) with their ids. */
export interface DerivedFrame {
  pair: string
  v2pair: string
  rows: V1Row[]
  ids: number[]
  /** The v2 row objects' text. */
  data: string[]
  /** The frame as a v2 `update`. */
  frame: string
}

/** Derives v2 rows from real v1 trade frames, numbering ids per pair in receive order. */
export function deriveV2(v1Frames: readonly string[]): DerivedFrame[] {
  const nextId = new Map<string, number>()
  return v1Frames.map((line) => {
    const [, rows, , pair] = JSON.parse(line) as [number, V1Row[], string, string]
    const v2pair = pair.replace('XBT', 'BTC')
    const ids: number[] = []
    const data = rows.map(([price, vol, time, side, ord]) => {
      const id = (nextId.get(pair) ?? 1000) + 1
      nextId.set(pair, id)
      ids.push(id)
      return `{"symbol":"${v2pair}","side":"${side === 'b' ? 'buy' : 'sell'}","price":${price},"qty":${vol},"ord_type":"${ord === 'm' ? 'market' : 'limit'}","trade_id":${id},"timestamp":"${v1TimeToIso(time)}"}`
    })
    return { pair, v2pair, rows, ids, data, frame: `{"channel":"trade","type":"update","data":[${data.join(',')}]}` }
  })
}

/**
 * The derived frames as a subscriber would receive them: for each pair, the rows of its first half of
 * frames (at least one) in one `snapshot` frame, listed newest first (Kraken does not document the
 * order, so the feed must not depend on it), then the pair's other frames as `update`s in receive order.
 */
export function withSnapshots(derived: readonly DerivedFrame[]): string[] {
  const byPair = new Map<string, DerivedFrame[]>()
  for (const d of derived) byPair.set(d.pair, [...(byPair.get(d.pair) ?? []), d])
  const inSnapshot = new Set<DerivedFrame>()
  const snapshots: string[] = []
  for (const frames of byPair.values()) {
    const head = frames.slice(0, Math.max(1, Math.floor(frames.length / 2)))
    for (const d of head) inSnapshot.add(d)
    const rows = head.flatMap((d) => d.data).reverse()
    snapshots.push(`{"channel":"trade","type":"snapshot","data":[${rows.join(',')}]}`)
  }
  return [...snapshots, ...derived.filter((d) => !inSnapshot.has(d)).map((d) => d.frame)]
}
