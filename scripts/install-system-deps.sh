#!/usr/bin/env bash
# Installs the Debian packages mastercut needs that are missing. Safe to run
# again: it does nothing when every package is installed.
#
#   scripts/install-system-deps.sh                the run-time list, scripts/system-packages.txt
#                                                 (the render image runs exactly this)
#   scripts/install-system-deps.sh --test         plus scripts/test-packages.txt (`npm test`)
#   scripts/install-system-deps.sh --containers   plus scripts/container-packages.txt (the container smoke)
#
# Every program a test, bench or script launches comes from one of these
# lists (test/unit/scripts/launched-programs.test.ts checks it), so each
# package is checked here, not a handful of binaries.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lists=("$here/system-packages.txt")
for arg in "$@"; do
  case "$arg" in
    --test) lists+=("$here/test-packages.txt") ;;
    --containers) lists+=("$here/container-packages.txt") ;;
    *) echo "usage: install-system-deps.sh [--test] [--containers]" >&2; exit 2 ;;
  esac
done
mapfile -t packages < <(cat "${lists[@]}" | grep -v '^\s*#' | grep -v '^\s*$' | sort -u)

missing=()
for pkg in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
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
