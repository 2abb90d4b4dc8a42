#!/usr/bin/env bash
# Prepares a fresh Debian machine (or a warm one, quickly): system packages, the pinned pnpm,
# workspace dependencies and the LiveKit binaries the sandbox runs. Every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

step() { printf '\n\033[1m▶ %s\033[0m\n' "$*" >&2; }

step "system packages"
bash scripts/setup-system.sh

step "pnpm"
want="$(node -p "require('./package.json').packageManager.split('@')[1]")"
have="$(pnpm --version 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  # corepack's signature check fails against some registries; a pinned global install works everywhere.
  npm install -g --silent "pnpm@$want" >&2
fi

step "workspace dependencies"
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --prefer-offline >&2; else pnpm install --prefer-offline >&2; fi

step "LiveKit binaries (built once through the Go module proxy${RINGLINE_GO_MIRROR:+ and the mirror $RINGLINE_GO_MIRROR}, cached in ${RINGLINE_CACHE_DIR:-$HOME/.cache/ringline})"
bash packages/sandbox/scripts/build-binaries.sh all >/dev/null
