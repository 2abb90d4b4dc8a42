#!/usr/bin/env bash
# Prints every benchmark's figures (nothing is asserted): bundle sizes, server throughput, call setup latency.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# bench-size exits non-zero when a size goal of issue #17 is exceeded; the other figures are still printed.
size_status=0
node scripts/bench-size.mjs || size_status=$?
pnpm -r --workspace-concurrency=1 --if-present bench
exit "$size_status"
