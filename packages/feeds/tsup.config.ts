import { defineConfig } from 'tsup'

export default defineConfig({
  // One entry per public subpath: the package, the simulator, and each adapter alone.
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    binance: 'src/binance.ts',
    kraken: 'src/kraken.ts',
    coinbase: 'src/coinbase.ts',
    bitstamp: 'src/bitstamp.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
})
