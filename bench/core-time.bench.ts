import { fromIso, toIso } from '@k2/core'
import { compare } from './harness.js'

// Exact ISO-8601 → µs parsing (K2) against the runtime's Date.parse, which stops at milliseconds.
export default async function (): Promise<void> {
  const n = 200_000
  const base = Date.UTC(2023, 8, 25)
  const stamps = Array.from({ length: n }, (_, i) => toIso(base * 1000 + i * 7_919_123))
  let sink = 0
  await compare({
    id: 'core-time',
    title: 'core: ISO-8601 timestamps to epoch µs',
    unit: 'timestamps',
    reference: {
      name: 'Date.parse × 1000 (ms only)',
      units: n,
      run: () => {
        for (const s of stamps) sink += Date.parse(s) * 1000
      },
    },
    subjects: [
      {
        name: 'fromIso (exact µs)',
        units: n,
        run: () => {
          for (const s of stamps) sink += fromIso(s)
        },
      },
    ],
  })
  if (sink === 0) console.log('unreachable')
}
