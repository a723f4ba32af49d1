import { K2Error } from '@k2/core'
import { run } from './run.js'

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const e = K2Error.from(err)
    console.error(`k2: ${e.code}: ${e.message}`)
    process.exitCode = e.code === 'VALIDATION' ? 2 : 1
  },
)
