import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  '.': {
    expr: 'typeof m.createQueryLayer + " " + typeof m.memoryCatalog + " " + typeof m.createDuckDBWasmEngine',
    prints: 'function function function',
  },
  './duckdb': { expr: 'typeof m.createDuckDBEngine', prints: 'function' },
})
