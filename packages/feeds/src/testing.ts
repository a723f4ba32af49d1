/**
 * @k2/feeds/testing — a local exchange simulator for tests, demos and benchmarks (Node only: it runs a
 * real WebSocket and HTTP server on 127.0.0.1).
 *
 * ```ts
 * const sim = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'] })
 * const feed = openFeed({ exchange: 'kraken', symbols: ['BTC-USD'], url: sim.url, restUrl: sim.restUrl })
 * sim.publish(100)            // trades on the wire
 * sim.skipNext(3)             // a gap the feed heals from the simulator's REST history
 * ```
 * @packageDocumentation
 */
export { HOSTILE_KINDS, type HostileKind, hostileFrame } from './testing/hostile-frames.js'
export type { SimMarket } from './testing/market.js'
export { krakenWireChecksum } from './testing/sim-book-wire.js'
export { type BookClient, type SimBookOptions, SimBooks } from './testing/sim-books.js'
export type { MalformedKind } from './testing/sim-frames.js'
export { type BookView, TrueBook } from './testing/sim-true-book.js'
export { ExchangeSimulator, type SimulatorOptions, startSimulator } from './testing/simulator.js'
export { mulberry32, Tape, type TapeTrade } from './testing/tape.js'
