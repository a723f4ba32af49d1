import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageContract } from '../../../test-support/package-contract.js'

packageContract(fileURLToPath(new URL('..', import.meta.url)), {
  entries: {
    '.': {
      does: 'runs "k2 help" and "k2 version" from code',
      run: `
        const lines = []
        const codes = [await m.run(['help'], (l) => lines.push(l)), await m.run(['version'], (l) => lines.push(l))]
        return [codes.join(','), lines.join('\\n').includes('  demo '), lines.at(-1)].join(' ')`,
      returns: '0,0 true 0.1.0',
    },
  },
  bins: {
    // The executable is ESM whatever the project's type (it sits in a "type": "module" package).
    k2: {
      does: 'runs the demo end to end (simulated exchanges → feeds → lake → queries) and finds every trade once',
      args: (tmp) => ['demo', '--seconds', '0.5', '--lake', join(tmp, 'lake')],
      prints: /✓ the exchanges printed (\d+) trades; the lake holds \1 \(\1 distinct\)/,
      timeoutMs: 60_000,
    },
  },
})
