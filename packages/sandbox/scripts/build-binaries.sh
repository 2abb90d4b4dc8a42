#!/usr/bin/env bash
# Builds livekit-server, livekit-sip and egress from the Go module proxy into a cache outside the repo.
# Rebuilds only when the pinned version changes. Prints the path of each binary on stdout.
#
#   build-binaries.sh all             livekit-server is required (exit 1 when it cannot be had); livekit-sip is
#                                     optional: when it cannot be had, a warning on stderr says why and how to
#                                     provide one, and the script still exits 0 (RINGLINE_REQUIRE_SIP=1: exit 1).
#   build-binaries.sh livekit-server  exit 1 on failure.
#   build-binaries.sh livekit-sip     exit 3 when livekit-sip cannot be had; the reason is the
#                                     "[ringline-sandbox] livekit-sip unavailable: …" line on stderr (or, when
#                                     RINGLINE_SIP_REASON_FILE is set, written to that file instead).
#   build-binaries.sh egress          LiveKit egress (recording), built inside its own module (source from the
#                                     module proxy, RINGLINE_GO_MIRROR, or a source tree in RINGLINE_EGRESS_SRC),
#                                     the same way: exit 3 when it cannot be had, the
#                                     reason on stderr or in RINGLINE_EGRESS_REASON_FILE. `all` builds it too and
#                                     warns when it cannot (RINGLINE_REQUIRE_EGRESS=1: exit 1). It needs GStreamer
#                                     (scripts/setup-system.sh); the gstreamer-mpegts-1.0 headers are unpacked from
#                                     the Debian package libgstreamer-plugins-bad1.0-dev into the cache (no install).
#
# A binary is taken, in order, from LIVEKIT_SERVER_BIN / LIVEKIT_SIP_BIN, PATH (livekit-server, livekit-sip),
# the cache, and only then built. Env: RINGLINE_CACHE_DIR (default ~/.cache/ringline), LIVEKIT_SERVER_VERSION,
# LIVEKIT_SIP_VERSION, LIVEKIT_EGRESS_VERSION, EGRESS_BIN, RINGLINE_REQUIRE_SIP, RINGLINE_REQUIRE_EGRESS,
# RINGLINE_GO_MIRROR.
#
# RINGLINE_GO_MIRROR: a directory laid out as a Go module proxy (<module>/@v/{list,<v>.info,.mod,.zip}) holding
# modules the ordinary proxy refuses (livekit-sip and two of its pinned dependencies, on some networks). It is put
# in front of GOPROXY as file://…; every other module still comes from the ordinary proxy. livekit-sip is built
# inside its own module, so its go.sum verifies every dependency zip, mirrored ones included: a tampered zip fails.
set -euo pipefail
CACHE="${RINGLINE_CACHE_DIR:-$HOME/.cache/ringline}"
SERVER_VERSION="${LIVEKIT_SERVER_VERSION:-v1.13.5}"
SIP_VERSION="${LIVEKIT_SIP_VERSION:-v1.11.0}"
# The cached livekit-sip's name: its version and the sandbox's patch level (see patch_sipgo).
SIP_BUILD="$SIP_VERSION-p1"
EGRESS_VERSION="${LIVEKIT_EGRESS_VERSION:-v1.14.0}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/build"
if [ -n "${RINGLINE_GO_MIRROR:-}" ]; then
  if [ ! -d "$RINGLINE_GO_MIRROR" ]; then
    echo "[ringline-sandbox] RINGLINE_GO_MIRROR=$RINGLINE_GO_MIRROR is not a directory" >&2
    exit 2
  fi
  RINGLINE_GO_MIRROR="$(cd "$RINGLINE_GO_MIRROR" && pwd)"
fi
want="${1:-all}"
case "$want" in all | livekit-server | livekit-sip | egress) ;; *)
  echo "usage: $0 [all|livekit-server|livekit-sip|egress]" >&2
  exit 2
  ;;
esac

SIP_FIX="set LIVEKIT_SIP_BIN=/path/to/livekit-sip (a livekit-sip $SIP_VERSION binary), or put livekit-sip on PATH; e.g. one built from github.com/livekit/sip on a machine that can reach GitHub, or taken from the livekit/sip Docker image"
EGRESS_FIX="run scripts/setup-system.sh (GStreamer packages), then build-binaries.sh egress; or set EGRESS_BIN=/path/to/egress (a livekit egress $EGRESS_VERSION binary)"

# Go on PATH (or in /usr/local/go/bin); returns 1 when there is none.
find_go() {
  command -v go >/dev/null 2>&1 && return 0
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; return 0; fi
  return 1
}

need_go() {
  if ! find_go; then
    echo "[ringline-sandbox] Go is required to build $1. Install Go >= 1.26 (https://go.dev/dl) or set ${2} to a prebuilt binary (e.g. 'brew install livekit')." >&2
    exit 1
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

# The mirror goes in front of the ordinary proxy; its modules are checked by livekit-sip's go.sum, not by the
# checksum database (which does not know them). Applied only where livekit-sip is asked for.
use_mirror() {
  [ -n "${RINGLINE_GO_MIRROR:-}" ] || return 0
  GOPROXY="file://$RINGLINE_GO_MIRROR,$(go env GOPROXY)"
  GONOSUMDB="github.com/livekit/sip,github.com/livekit/egress${GONOSUMDB:+,$GONOSUMDB}"
  export GOPROXY GONOSUMDB
}

# patch_sipgo <build dir>, run inside livekit-sip's module: builds it against a copy of the sipgo it pins with one
# fix. sipgo's ClientTx.Init writes the request before it sets timer D; a response handled in between (a phone on
# 127.0.0.1 answers in well under a millisecond; a loaded 2-core machine deschedules the goroutine) finds timer D
# at 0, so the transaction is deleted at once with the response still queued, and livekit-sip's select then picks
# "done" half the time: a REFER the phone accepted (202, NOTIFY 100 right after) is reported as "transaction failed
# to complete (0 intermediate responses)". CI hit this in most full runs. The fix sets timer D before the write.
patch_sipgo() {
  local dir="$1" src file
  # A livekit-sip that does not use sipgo (the test suite's stand-in module) has nothing to fix.
  grep -q 'github.com/livekit/sipgo ' go.mod || return 0
  src="$(go mod download -json github.com/livekit/sipgo | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -1)"
  if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then echo "[ringline-sandbox] go mod download github.com/livekit/sipgo gave no module directory" >&2; return 1; fi
  rm -rf "$dir/sipgo"
  cp -r "$src/." "$dir/sipgo"
  chmod -R u+w "$dir/sipgo"
  file="$dir/sipgo/transaction/client_tx.go"
  perl -0pi -e 's/(func \(tx \*ClientTx\) Init\(\) error \{\n\ttx\.initFSM\(\)\n)/$1\t\/\/ ringline-sandbox: timer D before the write (see patch_sipgo)\n\tif !transport.IsReliable(tx.origin.Transport()) {\n\t\ttx.mu.Lock()\n\t\ttx.timer_d_time = Timer_D\n\t\ttx.mu.Unlock()\n\t}\n/' "$file"
  if ! grep -q 'ringline-sandbox: timer D before the write' "$file"; then
    echo "[ringline-sandbox] could not apply the sipgo fix to $file (ClientTx.Init changed upstream?)" >&2
    return 1
  fi
  go mod edit -replace "github.com/livekit/sipgo=$dir/sipgo"
  echo "[ringline-sandbox] livekit-sip is built with a fix of sipgo's ClientTx.Init race (see patch_sipgo)" >&2
}

# build_sip <version>: livekit-sip built inside a copy of its own module, so its go.mod (replace lines included)
# and go.sum apply as upstream builds it, and every dependency zip is verified against that go.sum.
build_sip() {
  local version="$1"
  local out="$BIN/livekit-sip-$version-p1"
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  exec 9>"$BIN/.livekit-sip-$version.lock"
  flock 9
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  local dir="$CACHE/build/livekit-sip-$version" start=$SECONDS src
  rm -rf "$dir"; mkdir -p "$dir"
  echo "[ringline-sandbox] building livekit-sip $version inside its module (one time, 3-6 min on 2 cores; cached in $BIN)..." >&2
  src="$(cd "$CACHE/build" && GOFLAGS=-mod=mod go mod download -json "github.com/livekit/sip@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -1)"
  if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then echo "[ringline-sandbox] go mod download github.com/livekit/sip@$version gave no module directory" >&2; return 1; fi
  cp -r "$src/." "$dir/src"
  chmod -R u+w "$dir/src"
  (
    cd "$dir/src"
    go mod download >&2
    patch_sipgo "$dir"
    CGO_ENABLED=1 go build -trimpath -o "$out.tmp" ./cmd/livekit-sip >&2
  )
  mv "$out.tmp" "$out"
  rm -rf "$dir/src" "$dir/sipgo"
  echo "[ringline-sandbox] built livekit-sip in $((SECONDS - start))s" >&2
  echo "$out"
}

# Asks the Go module proxy for module@version without building anything (a second or so). Prints nothing and
# returns 0 when it is served; otherwise prints why not (one line) and returns 1. Also checks the
# github.com/livekit/media-sdk version livekit-sip requires, which the same proxy may refuse.
proxy_serves() {
  local module="$1" version="$2" out err code response
  # Outside any module, so only this exact module path is asked for (no guessing of parent paths).
  if ! out="$(cd "$CACHE/build" && timeout 90 go mod download -json "$module@$version" 2>&1)"; then
    err="$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | head -1)"
    [ -n "$err" ] || err="$(printf '%s\n' "$out" | tail -1)"
    code="$(printf '%s\n' "$err" | grep -oE '[0-9]{3} [A-Z][A-Za-z ]*[a-z]' | head -1 || true)"
    response="$(printf '%s\n' "$err" | sed -n 's/.*server response: \(.*\)$/\1/p' | sed 's/\\[nt].*//' | head -1)"
    if [ -n "$code" ]; then
      echo "the Go module proxy ($(go env GOPROXY | sed 's/,off$//; s/,direct$//')) refuses $module@$version (${code}${response:+: $response})"
    elif [ -z "$out" ]; then
      echo "the Go module proxy did not answer for $module@$version within 90 s"
    else
      echo "the Go module proxy would not serve $module@$version: $err"
    fi
    return 1
  fi
  if [ "$module" = github.com/livekit/sip ]; then
    local gomod media
    gomod="$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' | head -1)"
    # In a require block ("\tgithub.com/livekit/media-sdk vX") or on one line ("require github.com/… vX").
    media="$(awk -v m=github.com/livekit/media-sdk '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$gomod" 2>/dev/null || true)"
    # Availability only: the build verifies media-sdk against livekit-sip's own go.sum.
    if [ -n "$media" ]; then GONOSUMDB="github.com/livekit/media-sdk${GONOSUMDB:+,$GONOSUMDB}" proxy_serves github.com/livekit/media-sdk "$media" || return 1; fi
  fi
  return 0
}

# livekit-sip cannot be had: say why (to RINGLINE_SIP_REASON_FILE when the caller reports it itself).
sip_unavailable() {
  if [ -n "${RINGLINE_SIP_REASON_FILE:-}" ]; then printf '%s\n' "$1" >"$RINGLINE_SIP_REASON_FILE"; else
    echo "[ringline-sandbox] livekit-sip unavailable: $1" >&2
    echo "[ringline-sandbox]   fix: $SIP_FIX" >&2
  fi
  exit 3
}

# The gstreamer-mpegts-1.0 headers and .pc (egress's Go bindings include them, even for audio) come from the
# Debian package libgstreamer-plugins-bad1.0-dev, whose install pulls ~218 packages (opencv, qt5, gdal). Instead its
# .deb is unpacked into the cache with `dpkg -x`, its .pc prefix and .so links pointed at the system's runtime
# library (libgstreamer-plugins-bad1.0-0, a small package), and PKG_CONFIG_PATH set to it. Prints the .pc folder.
mpegts_pkgconfig() {
  local root="$CACHE/build/gst-bad-dev" arch
  arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
  local pc="$root/usr/lib/$arch/pkgconfig"
  if [ -f "$pc/gstreamer-mpegts-1.0.pc" ]; then echo "$pc"; return 0; fi
  local tmp
  tmp="$(mktemp -d)"
  chmod 755 "$tmp" && chown _apt "$tmp" 2>/dev/null || true  # apt-get download runs as _apt where it can
  (cd "$tmp" && apt-get download libgstreamer-plugins-bad1.0-dev >&2) || { rm -rf "$tmp"; return 1; }
  rm -rf "$root"
  dpkg -x "$tmp"/libgstreamer-plugins-bad1.0-dev_*.deb "$root"
  rm -rf "$tmp"
  sed -i "s|^prefix=.*|prefix=$root/usr|" "$pc"/*.pc
  # The unpacked .so links point at relative names: point them at the installed runtime libraries.
  local l
  for l in "$root/usr/lib/$arch"/*.so; do
    [ -L "$l" ] && ln -sfn "/usr/lib/$arch/$(readlink "$l")" "$l"
  done
  echo "$pc"
}

# build_egress <version>: egress built inside a copy of its own module (its go.sum checks every dependency).
build_egress() {
  local version="$1"
  local out="$BIN/egress-$version"
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  exec 9>"$BIN/.egress-$version.lock"
  flock 9
  if [ -x "$out" ]; then echo "$out"; return 0; fi
  local dir="$CACHE/build/egress-$version" start=$SECONDS src pc
  rm -rf "$dir"; mkdir -p "$dir"
  pc="$(mpegts_pkgconfig)" || { echo "[ringline-sandbox] could not unpack libgstreamer-plugins-bad1.0-dev (apt-get download failed)" >&2; return 1; }
  export PKG_CONFIG_PATH="$pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  # go-gst also links -lgstmpegts-1.0 outside pkg-config: the linker needs the unpacked folder of its .so link.
  export CGO_LDFLAGS="-L$(dirname "$pc") ${CGO_LDFLAGS:--O2 -g}"
  echo "[ringline-sandbox] building egress $version inside its module (one time, 3-8 min on 2 cores; cached in $BIN)..." >&2
  if [ -n "${RINGLINE_EGRESS_SRC:-}" ]; then
    src="$RINGLINE_EGRESS_SRC"
    echo "[ringline-sandbox] egress source from RINGLINE_EGRESS_SRC=$src" >&2
  else
    src="$(cd "$CACHE/build" && GOFLAGS=-mod=mod go mod download -json "github.com/livekit/egress@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -1)"
  fi
  if [ -z "$src" ] || [ ! -f "$src/go.mod" ] || ! grep -q '^module github.com/livekit/egress$' "$src/go.mod"; then
    echo "[ringline-sandbox] no github.com/livekit/egress $version module directory (go mod download gave none, or RINGLINE_EGRESS_SRC is not one)" >&2; return 1
  fi
  cp -r "$src/." "$dir/src"
  chmod -R u+w "$dir/src"
  (
    cd "$dir/src"
    # cmd/server embeds templates/ (Chrome layouts, unused for audio-only egress); the module zip lacks it.
    mkdir -p cmd/server/templates
    [ -n "$(ls -A cmd/server/templates)" ] || echo '<!doctype html><title>ringline: audio-only egress</title>' >cmd/server/templates/index.html
    go mod download >&2
    CGO_ENABLED=1 go build -trimpath -o "$out.tmp" ./cmd/server >&2
  )
  mv "$out.tmp" "$out"
  rm -rf "$dir/src"
  echo "[ringline-sandbox] built egress in $((SECONDS - start))s" >&2
  echo "$out"
}

egress_unavailable() {
  if [ -n "${RINGLINE_EGRESS_REASON_FILE:-}" ]; then printf '%s\n' "$1" >"$RINGLINE_EGRESS_REASON_FILE"; else
    echo "[ringline-sandbox] egress unavailable: $1" >&2
    echo "[ringline-sandbox]   fix: $EGRESS_FIX" >&2
  fi
  exit 3
}

if [ "$want" = all ] || [ "$want" = livekit-server ]; then
  if [ -n "${LIVEKIT_SERVER_BIN:-}" ]; then echo "$LIVEKIT_SERVER_BIN"; elif command -v livekit-server >/dev/null 2>&1; then
    command -v livekit-server
  else
    need_go livekit-server LIVEKIT_SERVER_BIN
    build livekit-server github.com/livekit/livekit-server github.com/livekit/livekit-server/cmd/server "$SERVER_VERSION" 0 LIVEKIT_SERVER_BIN
  fi
fi

if [ "$want" = livekit-sip ]; then
  if [ -n "${LIVEKIT_SIP_BIN:-}" ]; then
    [ -x "$LIVEKIT_SIP_BIN" ] || sip_unavailable "LIVEKIT_SIP_BIN=$LIVEKIT_SIP_BIN is not an executable file"
    echo "$LIVEKIT_SIP_BIN"
  elif command -v livekit-sip >/dev/null 2>&1; then
    command -v livekit-sip
  elif [ -x "$BIN/livekit-sip-$SIP_BUILD" ]; then
    echo "$BIN/livekit-sip-$SIP_BUILD"
  else
    find_go || sip_unavailable "it is not on PATH nor in $BIN, and Go (>= 1.26) is not installed to build it"
    use_mirror
    # Ask first: a refusal takes a second to learn, a build takes minutes.
    reason="$(proxy_serves github.com/livekit/sip "$SIP_VERSION")" || sip_unavailable "$reason"
    if ! pkg-config --exists opus opusfile soxr 2>/dev/null; then
      sip_unavailable "building it needs cgo libraries that are missing (apt-get install -y pkg-config libopus-dev libopusfile-dev libsoxr-dev gcc)"
    fi
    # A child bash, so `set -e` applies inside the build as it does for livekit-server.
    if ! bash -c "$(declare -f build_sip patch_sipgo); set -euo pipefail; BIN='$BIN' CACHE='$CACHE'; build_sip '$SIP_VERSION'"; then
      sip_unavailable "building it with Go failed (output above; work dir $CACHE/build/livekit-sip-$SIP_VERSION)"
    fi
  fi
fi

if [ "$want" = egress ]; then
  if [ -n "${EGRESS_BIN:-}" ]; then
    [ -x "$EGRESS_BIN" ] || egress_unavailable "EGRESS_BIN=$EGRESS_BIN is not an executable file"
    echo "$EGRESS_BIN"
  elif command -v egress >/dev/null 2>&1; then
    command -v egress
  elif [ -x "$BIN/egress-$EGRESS_VERSION" ]; then
    echo "$BIN/egress-$EGRESS_VERSION"
  else
    find_go || egress_unavailable "it is not on PATH nor in $BIN, and Go (>= 1.26) is not installed to build it"
    if ! pkg-config --exists gstreamer-1.0 gstreamer-base-1.0 gstreamer-app-1.0 2>/dev/null; then
      egress_unavailable "building it needs the GStreamer development files (apt-get install -y pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-tools; scripts/setup-system.sh does it)"
    fi
    command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
      egress_unavailable "building it needs the gstreamer-mpegts-1.0 headers, fetched with apt-get download (Debian/Ubuntu only)"
    if [ -n "${RINGLINE_EGRESS_SRC:-}" ]; then
      [ -f "$RINGLINE_EGRESS_SRC/go.mod" ] || egress_unavailable "RINGLINE_EGRESS_SRC=$RINGLINE_EGRESS_SRC has no go.mod"
    else
      use_mirror
      # Ask first: a refusal takes a second to learn, a build takes minutes.
      reason="$(proxy_serves github.com/livekit/egress "$EGRESS_VERSION")" || egress_unavailable "$reason (a source tree of tag $EGRESS_VERSION, e.g. \`git archive $EGRESS_VERSION\` of github.com/livekit/egress, can be given as RINGLINE_EGRESS_SRC; or put the module in RINGLINE_GO_MIRROR)"
    fi
    if ! bash -c "$(declare -f mpegts_pkgconfig build_egress); set -euo pipefail; BIN='$BIN' CACHE='$CACHE'; build_egress '$EGRESS_VERSION'"; then
      egress_unavailable "building it with Go failed (output above; work dir $CACHE/build/egress-$EGRESS_VERSION)"
    fi
  fi
fi

if [ "$want" = all ]; then
  # egress (recording) is optional: ask a child for it and report, loudly, when it cannot be had.
  egress_reason_file="$(mktemp)"
  if ! RINGLINE_EGRESS_REASON_FILE="$egress_reason_file" bash "$0" egress; then
    reason="$(cat "$egress_reason_file")"
    [ -n "$reason" ] || reason="scripts/build-binaries.sh egress failed (output above)"
    {
      echo "[ringline-sandbox] =================================================================================="
      echo "[ringline-sandbox] WARNING: egress is not available: $reason"
      echo "[ringline-sandbox]   The sandbox will run without recording; tests that need egress are reported as skipped."
      echo "[ringline-sandbox]   fix: $EGRESS_FIX"
      echo "[ringline-sandbox]   RINGLINE_REQUIRE_EGRESS=1 turns this warning into an error."
      echo "[ringline-sandbox] =================================================================================="
    } >&2
    rm -f "$egress_reason_file"
    if [ "${RINGLINE_REQUIRE_EGRESS:-}" = 1 ]; then
      echo "[ringline-sandbox] RINGLINE_REQUIRE_EGRESS=1: failing because egress is not available" >&2
      exit 1
    fi
  fi
  rm -f "$egress_reason_file"
  # livekit-sip is optional: ask a child for it and report, loudly, when it cannot be had.
  reason_file="$(mktemp)"
  trap 'rm -f "$reason_file"' EXIT
  if RINGLINE_SIP_REASON_FILE="$reason_file" bash "$0" livekit-sip; then exit 0; fi
  reason="$(cat "$reason_file")"
  [ -n "$reason" ] || reason="scripts/build-binaries.sh livekit-sip failed (output above)"
  {
    echo "[ringline-sandbox] =================================================================================="
    echo "[ringline-sandbox] WARNING: livekit-sip is not available: $reason"
    echo "[ringline-sandbox]   The sandbox will run without SIP: rooms, tokens, webhooks and SIP trunk provisioning work;"
    echo "[ringline-sandbox]   phone calls do not, and tests that need livekit-sip are reported as skipped, with this reason."
    echo "[ringline-sandbox]   fix: $SIP_FIX"
    echo "[ringline-sandbox]   RINGLINE_REQUIRE_SIP=1 turns this warning into an error."
    echo "[ringline-sandbox] =================================================================================="
  } >&2
  if [ "${RINGLINE_REQUIRE_SIP:-}" = 1 ]; then
    echo "[ringline-sandbox] RINGLINE_REQUIRE_SIP=1: failing because livekit-sip is not available" >&2
    exit 1
  fi
fi
