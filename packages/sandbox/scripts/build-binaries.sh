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

# Prints the replace directives of a go.mod (single-line and block form) as "old[ ver] => new[ ver]".
replace_lines() {
  awk '
    { sub(/\/\/.*/, "") }
    /^replace[ \t]*\(/ { blk = 1; next }
    blk && /^[ \t]*\)/ { blk = 0; next }
    blk && NF { sub(/^[ \t]+/, ""); print; next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); print }
  ' "$1"
}

# build <name> <module> <package> <version> <cgo> <env var naming a prebuilt binary>
build() {
  local name="$1" module="$2" pkg="$3" version="$4" cgo="$5"
  local out="$BIN/$name-$version"
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  # One build per binary at a time (another process may be building it right now).
  exec 9>"$BIN/.$name-$version.lock"
  flock 9
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  local dir="$CACHE/build/$name-$version"
  rm -rf "$dir"; mkdir -p "$dir"
  local start=$SECONDS
  echo "[ringline-sandbox] building $name $version (one time; cached in $BIN)..." >&2
  (
    cd "$dir"
    go mod init "local/ringline-$name" >/dev/null 2>&1
    if ! go get "$pkg@$version" 2>"$dir/go-get.log"; then
      cat "$dir/go-get.log" >&2
      if grep -qE '403|404|410|not available|not found' "$dir/go-get.log"; then
        echo "[ringline-sandbox] The Go module proxy would not serve $module@$version, so $name cannot be built here." >&2
        echo "[ringline-sandbox] Put a $name $version binary on PATH as '$name', or set ${6} to its path." >&2
      fi
      exit 1
    fi
    # A tagged module whose go.mod carries replace lines needs them repeated in the wrapper
    # (replace directives only apply in the main module).
    modfile="$(go env GOMODCACHE)/cache/download/$(echo "$module" | sed 's/[A-Z]/!\L&/g')/@v/$version.mod"
    if [ ! -f "$modfile" ]; then echo "[ringline-sandbox] missing $modfile after go get" >&2; exit 1; fi
    replaced=0
    while IFS= read -r line; do
      left="${line%%=>*}"; right="${line#*=>}"
      read -r from fromver <<<"$left" || true
      read -r to tover <<<"$right" || true
      case "$to" in
        .*|/*) echo "[ringline-sandbox] $module $version replaces $from with local path $to; cannot build it from the module proxy" >&2; exit 1 ;;
      esac
      go mod edit -replace "$from${fromver:+@$fromver}=$to${tover:+@$tover}"
      echo "[ringline-sandbox] replace $from${fromver:+@$fromver} => $to${tover:+@$tover}" >&2
      replaced=1
    done < <(replace_lines "$modfile")
    # No `go mod tidy`: the wrapper has no Go source, so tidy would drop every requirement.
    # -mod=mod lets the build record sums for replacement modules.
    if [ "$replaced" = 1 ]; then go get "$pkg@$version" >&2; fi
    CGO_ENABLED="$cgo" go build -mod=mod -trimpath -o "$out.tmp" "$pkg" >&2
    mv "$out.tmp" "$out"
  )
  echo "[ringline-sandbox] built $name in $((SECONDS - start))s" >&2
  echo "$out"
}

if [ "$want" = all ] || [ "$want" = livekit-server ]; then
  if [ -n "${LIVEKIT_SERVER_BIN:-}" ]; then echo "$LIVEKIT_SERVER_BIN"; else
    need_go livekit-server LIVEKIT_SERVER_BIN
    build livekit-server github.com/livekit/livekit-server github.com/livekit/livekit-server/cmd/server "$SERVER_VERSION" 0 LIVEKIT_SERVER_BIN
  fi
fi
if [ "$want" = all ] || [ "$want" = livekit-sip ]; then
  if [ -n "${LIVEKIT_SIP_BIN:-}" ]; then echo "$LIVEKIT_SIP_BIN"; else
    need_go livekit-sip LIVEKIT_SIP_BIN
    if ! pkg-config --exists opus opusfile soxr 2>/dev/null; then
      echo "[ringline-sandbox] livekit-sip needs cgo libraries: apt-get install -y pkg-config libopus-dev libopusfile-dev libsoxr-dev" >&2
      exit 1
    fi
    build livekit-sip github.com/livekit/sip github.com/livekit/sip/cmd/livekit-sip "$SIP_VERSION" 1 LIVEKIT_SIP_BIN
  fi
fi
