#!/usr/bin/env bash
# Installs the Debian packages Ringline's tests and sandbox need. Idempotent: does nothing when all are present.
set -euo pipefail
# GStreamer: egress (recording) runs on -base/-good/-ugly (-ugly brings x264enc, which participant egress loads
# even for audio) and builds against the -dev packages; gstreamer1.0-tools gives gst-inspect-1.0 for the sandbox's
# start-up check of the elements. libgstreamer-plugins-bad1.0-0 is the runtime of gstreamer-mpegts-1.0, whose headers
# build-binaries.sh unpacks from libgstreamer-plugins-bad1.0-dev (installing that one pulls ~218 packages).
PKGS=(redis-server sip-tester chromium postgresql pkg-config libopus-dev libopusfile-dev libsoxr-dev gcc
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-tools
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-0)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "[setup-system] installing: ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# Debian starts services on install; Ringline starts its own on 127.0.0.1 with its own ports.
for svc in redis-server postgresql; do $SUDO service "$svc" stop >/dev/null 2>&1 || true; done
