import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  '.': {
    // Exact time conversion and cross-copy error recognition, through the built files.
    expr: `[m.fromIso('2023-09-25T07:49:37.708706Z'), m.K2Error.isInstance(new m.K2Error('VALIDATION', 'x')), m.validateSymbol('BTC-USDT')].join(' ')`,
    prints: '1695628177708706 true BTC-USDT',
  },
})
