import { K2Error } from '@k2/core'
import { exitCodeOf } from './exit-codes.js'
import { processIo } from './io.js'
import { run } from './run.js'

// The first SIGINT/SIGTERM asks the command to stop gracefully (flush, commit, close); a second one
// exits at once.
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130)
    stop.abort(new K2Error('CLOSED', `interrupted by ${signal}`))
  })
}

// `k2 query … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw e
  })
}

run(process.argv.slice(2), processIo(stop.signal)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const e = K2Error.from(err)
    console.error(`k2: ${e.code}: ${e.message}`)
    process.exitCode = exitCodeOf(err)
  },
)
