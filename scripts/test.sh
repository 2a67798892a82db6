#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs the whole suite against real
# Chromium, ffmpeg and redis-server (each test starts its own redis on a free port).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh --test
exec npx vitest run "$@"
