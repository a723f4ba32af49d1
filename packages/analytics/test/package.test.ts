import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

// The package is a stub (see its README): its one export is all there is to probe.
packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': { does: 'loads and names itself (a stub so far)', run: 'return m.PACKAGE_NAME', returns: '@k2/analytics' },
  },
})
