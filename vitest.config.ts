import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { SummaryLineReporter } from './test-support/summary-reporter.js'

const packages = fileURLToPath(new URL('./packages/', import.meta.url))

// One config for the whole workspace. Tests import packages by name; these aliases point the names
// at the TypeScript sources, so tests run without a build (the package tests check the build).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@k2\/([a-z]+)$/, replacement: `${packages}$1/src/index.ts` },
      { find: /^@k2\/([a-z]+)\/([a-z-]+)$/, replacement: `${packages}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    reporters: ['default', new SummaryLineReporter()],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
