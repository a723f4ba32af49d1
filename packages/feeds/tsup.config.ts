import { rmSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

const shared = {
  // One entry per public subpath: the package, the simulator, and each adapter alone.
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    binance: 'src/binance.ts',
    kraken: 'src/kraken.ts',
    coinbase: 'src/coinbase.ts',
    bitstamp: 'src/bitstamp.ts',
  },
  dts: true,
  sourcemap: true,
  // The two builds below run at once into one folder, so neither may clean it; it is emptied here, once.
  clean: false,
  target: 'es2022',
} satisfies Options

/**
 * Dependencies that ship only ESM are bundled into the CommonJS build: a Node without require(esm)
 * cannot load them, and where it can, the CJS interop hands `import x from` the module namespace
 * instead of `x` (p-retry's default export then "is not a function" and a feed never connected).
 * The ESM build keeps them external. test/package.commonjs.test.ts fails if one is missing here.
 */
const ESM_ONLY_DEPENDENCIES = ['p-retry']

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true })

export default defineConfig([
  { ...shared, format: ['esm'] },
  { ...shared, format: ['cjs'], noExternal: ESM_ONLY_DEPENDENCIES },
])
