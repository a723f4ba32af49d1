#!/usr/bin/env bash
# Validates a lake in CI: rolls trades up into gold, then runs every invariant check and writes a
# JUnit report the CI system shows per check. `k2 check` exits 1 when an invariant fails, which
# fails the job; the report says which check and on which rows.
#
#   examples/ci-validate.sh ./k2-lake k2-check.xml [k2 check options, e.g. --skip coverage.day-complete]
#
# In GitHub Actions, after building or downloading the lake:
#   - run: examples/ci-validate.sh ./k2-lake k2-check.xml
#   - uses: mikepenz/action-junit-report@v5
#     if: always()
#     with: { report_paths: k2-check.xml }
set -euo pipefail
lake=${1:-./k2-lake}
report=${2:-k2-check.xml}
shift $(($# < 2 ? $# : 2))
k2() { npx --no-install k2 "$@"; }

k2 rollup --lake "$lake" --timeframes 1m,5m,1h,1d
k2 check --lake "$lake" --junit "$report" "$@"
