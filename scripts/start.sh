#!/usr/bin/env bash
# The README's first command on a fresh machine: Node 24 (from the npm registry when this machine's
# node is older, scripts/node24.sh), `npm ci`, then `npm start` (dmac up) with any arguments given,
# e.g. `bash scripts/start.sh -- --runtime podman`.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/node24.sh):$PATH"
export PATH
npm ci --no-audit --no-fund
exec npm start "$@"
