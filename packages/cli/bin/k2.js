#!/usr/bin/env node
// The installed `k2` command. It exists before the first build (dist/ does not), so a fresh
// workspace install links it; the build writes the command itself to dist/bin.js.
import '../dist/bin.js'
