#!/usr/bin/env bash
# Installs everything, starts the local LiveKit + SIP + phone sandbox (unless LIVEKIT_URL is set),
# then serves the example app on http://localhost:3000 with the embedded PGlite store under apps/example-next/.data.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh
app=apps/example-next
if [ -z "${LIVEKIT_URL:-}" ]; then
  printf '\n\033[1m▶ sandbox (livekit-server, livekit-sip, redis, sipp on 127.0.0.1)\033[0m\n'
  pnpm --silent --filter @ringline/sandbox exec tsx src/cli.ts up \
    --webhook-url http://127.0.0.1:3000/api/ringline/webhooks/livekit > "$app/.env.sandbox"
  cat "$app/.env.sandbox"
  echo "Stop the sandbox with: pnpm sandbox down"
fi
printf '\n\033[1m▶ example app on http://localhost:3000\033[0m\n'
exec pnpm --filter @ringline/example-next dev
