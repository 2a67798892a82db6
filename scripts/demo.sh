#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then runs the demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
exec ./bin/mastercut demo "$@"
