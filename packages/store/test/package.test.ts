import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  '.': { expr: 'typeof m.openLake', prints: 'function' },
})
