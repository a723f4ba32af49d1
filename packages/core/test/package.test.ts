import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'converts ISO time to exact µs and back, and K2Error.isInstance knows an error from the other copy',
      // `other` loads the second copy a notebook or a mixed project can end up with (ESM beside CJS).
      run: `
        const copy = await other('@k2/core')
        const err = new copy.K2Error('VALIDATION', 'from the other copy')
        const us = m.fromIso('2023-09-25T07:49:37.708706Z')
        return [us, m.toIso(us), err instanceof m.K2Error, m.K2Error.isInstance(err), m.validateSymbol('BTC-USDT')].join(' ')`,
      returns: '1695628177708706 2023-09-25T07:49:37.708706Z false true BTC-USDT',
    },
  },
})
