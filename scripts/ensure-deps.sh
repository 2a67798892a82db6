#!/usr/bin/env bash
# Everything a fresh machine is missing: system packages, then node modules.
# Called by `npm run demo` and `npm test` (with --test: the packages only the
# tests need too), so those two commands are all a new machine needs.
# Arguments go to scripts/install-system-deps.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-system-deps.sh "$@"
# Never download a browser: the system chromium-headless-shell is used.
export PUPPETEER_SKIP_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "mastercut: installing node modules (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
