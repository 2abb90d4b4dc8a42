#!/usr/bin/env bash
# Runs every test CI runs: types, lint, package builds with publint/attw, Storybook and Next builds,
# then one vitest run with unit, integration (real LiveKit + SIP + sipp) and Chromium end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CI="${CI:-}"
# Each step's wall time, printed as a breakdown at the end (and on failure).
timings=()
current=""
started=$SECONDS
step() {
  [ -n "$current" ] && timings+=("$(printf '%-34s %5ss' "$current" "$((SECONDS - started))")")
  current="$*"
  started=$SECONDS
  printf '\n\033[1m▶ %s\033[0m\n' "$*"
}
summary() {
  local code=$?
  [ -n "$current" ] && timings+=("$(printf '%-34s %5ss' "$current" "$((SECONDS - started))")")
  printf '\n[ringline] npm test steps (exit %s):\n' "$code"
  for t in "${timings[@]}"; do printf '  %s\n' "$t"; done
  printf '  %-34s %5ss\n' total "$SECONDS"
}
trap summary EXIT

step "bootstrap (system packages, pnpm, dependencies, LiveKit binaries)"
bash scripts/bootstrap.sh

step "typecheck"
pnpm -r --workspace-concurrency=1 typecheck

step "lint"
pnpm biome check .

step "build packages"
pnpm -r --filter './packages/*' build

step "publint + attw"
node scripts/check-packages.mjs

step "engines; server + CLI on Node 20, 22, 24"
node scripts/check-engines.mjs
node scripts/node-versions.mjs

step "build Storybook"
pnpm --filter @ringline/storybook build

step "build the example app"
pnpm --filter @ringline/example-next build

step "vitest: unit, integration, end-to-end"
pnpm vitest run
