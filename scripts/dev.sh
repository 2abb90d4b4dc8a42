#!/usr/bin/env bash
# Installs everything, starts the local LiveKit + SIP + phone sandbox (unless LIVEKIT_URL is set),
# then serves the example app on http://localhost:3000 with the embedded PGlite store under apps/example-next/.data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export NEXT_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh
app=apps/example-next
if [ -z "${LIVEKIT_URL:-}" ]; then
  printf '\n\033[1m▶ sandbox (livekit-server, livekit-sip, Redis and a sipp phone on 127.0.0.1)\033[0m\n'
  # `up` prints the KEY=value lines the app needs and leaves the stack running (a second `up` reuses it).
  env_lines="$(pnpm --silent --filter @ringline/sandbox cli up --webhook-url http://127.0.0.1:3000/api/ringline/webhooks/livekit)"
  echo "$env_lines"
  set -a
  eval "$env_lines"
  set +a
  # Two free sandbox numbers become the demo tenants' company numbers (the phone can call them).
  export RINGLINE_DEMO_NUMBERS="${RINGLINE_DEMO_NUMBERS:-acme=+15550009001,globex=+15550009002}"
  echo "Stop the sandbox with: pnpm sandbox down"
fi
# Stored Twilio secrets are encrypted with RINGLINE_SECRET_KEY: a local key is made once for development.
if [ -z "${RINGLINE_SECRET_KEY:-}" ]; then
  mkdir -p "$app/.data"
  key_file="$app/.data/dev-secret-key"
  [ -s "$key_file" ] || (umask 077 && node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))" > "$key_file")
  RINGLINE_SECRET_KEY="hex:$(cat "$key_file")"
  export RINGLINE_SECRET_KEY
fi
printf '\n\033[1m▶ example app on http://localhost:3000\033[0m\n'
# Once it listens, load Ringline so the demo numbers are provisioned (they ring at once, before any page is opened).
node -e '
const until = Date.now() + 180e3
const tick = () => fetch("http://127.0.0.1:3000/api/demo/ready", { signal: AbortSignal.timeout(60e3) })
  .then((r) => r.ok ? console.error("[dev] ready; demo numbers: " + (process.env.RINGLINE_DEMO_NUMBERS || "none")) : Promise.reject())
  .catch(() => Date.now() < until && setTimeout(tick, 1000))
tick()' &
exec pnpm --filter @ringline/example-next dev
