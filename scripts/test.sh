#!/usr/bin/env bash
# Runs every test CI runs: types, lint, package builds with publint/attw, Storybook and Next builds,
# then one vitest run with unit, integration (real LiveKit + SIP + sipp) and Chromium end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CI="${CI:-}"
step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }

bash scripts/bootstrap.sh

step "typecheck"
pnpm -r --workspace-concurrency=1 typecheck

step "lint"
pnpm biome check .

step "build packages"
pnpm -r --filter './packages/*' build

step "publint + attw"
node scripts/check-packages.mjs

step "build Storybook"
pnpm --filter @ringline/storybook build

step "build the example app"
pnpm --filter @ringline/example-next build

step "vitest: unit, integration, end-to-end"
pnpm vitest run
