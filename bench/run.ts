import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

// Runs every `*.bench.ts` here (or those whose names contain an argument): `pnpm bench [filter…]`.
const dir = fileURLToPath(new URL('.', import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

for (const file of files) {
  console.log(`\n== ${file}`)
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { default: () => Promise<void> }
  await mod.default()
}
