# Sourced by dev.sh, test.sh and bootstrap.sh: settings every Ringline script shares.
# A local Go module mirror for the LiveKit modules some module proxies refuse (livekit-sip and two of its pinned
# dependencies): ../shared/goproxy beside the checkout when it exists. A machine that reaches the public proxy
# needs none. See packages/sandbox/scripts/build-binaries.sh.
if [ -z "${RINGLINE_GO_MIRROR:-}" ]; then
  _ringline_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -d "$_ringline_root/../shared/goproxy" ]; then
    RINGLINE_GO_MIRROR="$(cd "$_ringline_root/../shared/goproxy" && pwd)"
    export RINGLINE_GO_MIRROR
  fi
  unset _ringline_root
fi
