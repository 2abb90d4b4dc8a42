#!/usr/bin/env bash
# Builds livekit-server and livekit-sip from the Go module proxy into a cache outside the repo.
# Rebuilds only when the pinned version changes. Env overrides:
#   RINGLINE_CACHE_DIR (default ~/.cache/ringline), LIVEKIT_SERVER_VERSION, LIVEKIT_SIP_VERSION
#   LIVEKIT_SERVER_BIN / LIVEKIT_SIP_BIN: use these binaries and build nothing.
set -euo pipefail
CACHE="${RINGLINE_CACHE_DIR:-$HOME/.cache/ringline}"
SERVER_VERSION="${LIVEKIT_SERVER_VERSION:-v1.13.5}"
SIP_VERSION="${LIVEKIT_SIP_VERSION:-v1.11.0}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/build"
want="${1:-all}"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
      echo "[ringline-sandbox] Go is required to build $1. Install Go >= 1.26 (https://go.dev/dl) or set ${2} to a prebuilt binary (e.g. 'brew install livekit')." >&2
      exit 1
    fi
  fi
}

# build <name> <module> <package> <version> <cgo>
build() {
  local name="$1" module="$2" pkg="$3" version="$4" cgo="$5"
  local out="$BIN/$name-$version"
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  local dir="$CACHE/build/$name-$version"
  rm -rf "$dir"; mkdir -p "$dir"
  local start=$SECONDS
  echo "[ringline-sandbox] building $name $version (one time; cached in $BIN)..." >&2
  (
    cd "$dir"
    go mod init "local/ringline-$name" >/dev/null 2>&1
    go get "$pkg@$version" >&2
    # A tagged module whose go.mod carries replace lines needs them repeated in the wrapper.
    modfile="$(go env GOMODCACHE)/cache/download/$(echo "$module" | sed 's/[A-Z]/!\L&/g')/@v/$version.mod"
    if [ -f "$modfile" ]; then
      grep -E '^replace ' "$modfile" | sed -E 's/^replace +//' | while read -r from _ to ver; do
        go mod edit -replace "$from=$to@$ver"
      done
      go mod tidy >&2 || true
    fi
    CGO_ENABLED="$cgo" go build -trimpath -o "$out.tmp" "$pkg" >&2
    mv "$out.tmp" "$out"
  )
  echo "[ringline-sandbox] built $name in $((SECONDS - start))s" >&2
  echo "$out"
}

if [ "$want" = all ] || [ "$want" = livekit-server ]; then
  if [ -n "${LIVEKIT_SERVER_BIN:-}" ]; then echo "$LIVEKIT_SERVER_BIN"; else
    need_go livekit-server LIVEKIT_SERVER_BIN
    build livekit-server github.com/livekit/livekit-server github.com/livekit/livekit-server/cmd/server "$SERVER_VERSION" 0
  fi
fi
if [ "$want" = all ] || [ "$want" = livekit-sip ]; then
  if [ -n "${LIVEKIT_SIP_BIN:-}" ]; then echo "$LIVEKIT_SIP_BIN"; else
    need_go livekit-sip LIVEKIT_SIP_BIN
    if ! pkg-config --exists opus opusfile soxr 2>/dev/null; then
      echo "[ringline-sandbox] livekit-sip needs cgo libraries: apt-get install -y pkg-config libopus-dev libopusfile-dev libsoxr-dev" >&2
      exit 1
    fi
    build livekit-sip github.com/livekit/sip github.com/livekit/sip/cmd/livekit-sip "$SIP_VERSION" 1
  fi
fi
