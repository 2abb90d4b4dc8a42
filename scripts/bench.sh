#!/usr/bin/env bash
# Prints every benchmark's figures (nothing is asserted): bundle sizes, server throughput, call setup latency.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
node scripts/bench-size.mjs
pnpm -r --workspace-concurrency=1 --if-present bench
