// Run by native-websocket.test.ts in a Node started with --experimental-websocket, so a global
// WebSocket exists: the feed uses it (transport "native"), as it would on Deno or in a browser.
import { openFeed } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'

const sim = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'] })
const feed = openFeed({
  exchange: 'kraken',
  symbols: ['BTC-USD'],
  url: sim.url,
  restUrl: sim.restUrl,
  transport: 'native',
  bufferSize: 100,
  backoff: { minMs: 10, maxMs: 100 },
  historyMinIntervalMs: 0,
  tickMs: 20,
})
while (feed.stats().symbols['BTC-USD']?.subscription !== 'subscribed' || sim.subscribers() === 0)
  await new Promise((r) => setTimeout(r, 10))
const total = 3000
let maxBuffered = 0
let maxGap = 0
feed.on('gap', (g) => {
  if (g.state === 'healed') maxGap = Math.max(maxGap, Number(g.toId) - Number(g.fromId) + 1)
})
const producer = (async () => {
  for (let sent = 0; sent < total; sent += 100) {
    sim.publish(100, { perFrame: 10 })
    await new Promise((r) => setTimeout(r, 5))
  }
})()
const ids: string[] = []
for await (const ev of feed) {
  if (ev.type !== 'trade') continue
  ids.push(ev.id)
  maxBuffered = Math.max(maxBuffered, feed.stats().buffered)
  if (ids.length % 10 === 0) await new Promise((r) => setTimeout(r, 1)) // a slow consumer
  if (ids.length === total) break
}
await producer
const want = sim.trades('BTC-USD').map((t) => String(t.id))
const stats = feed.stats()
console.log(
  JSON.stringify({
    native: typeof globalThis.WebSocket === 'function',
    exact: JSON.stringify(ids) === JSON.stringify(want),
    maxBuffered,
    reconnects: stats.reconnects,
    gapsHealed: stats.gapsHealed,
    maxGap,
  }),
)
await sim.close()
