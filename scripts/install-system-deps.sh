#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/system-packages.txt when any
# of the programs mastercut needs is missing. Safe to run again: it does
# nothing when everything is there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mapfile -t packages < <(grep -v '^\s*#' "$here/system-packages.txt" | grep -v '^\s*$')

missing=()
for bin in chromium-headless-shell ffmpeg ffprobe redis-server; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
for pkg in fonts-dejavu-core fonts-noto-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "mastercut: installing system packages (missing: ${missing[*]})" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "mastercut: run as root, or install these Debian packages: ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
