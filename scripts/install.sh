#!/usr/bin/env bash
# Installs what flexos-sim needs on a fresh Debian machine: the real clients the workloads and
# tests drive (redis-tools, wrk, iperf, curl) and the npm packages from the lock file, which
# `npm ci` compiles (prepare: tsc). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
# redis-server and nginx-light are the real servers scripts/bench-vs-real.js compares against (and
# redis-server holds the exploration's BullMQ queue in its tests);
# chromium renders the exploration picture in its test; clang builds the cfi and safestack variants
# that scripts/hardening-cost.js times (its other variants, like scripts/calibrate.js, use gcc);
# libsqlite3-dev is the SQLite C library the model's price of a VDBE opcode is timed with.
packages=(redis-tools wrk iperf curl util-linux redis-server nginx-light chromium clang libsqlite3-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
