#!/usr/bin/env bash
# Compiles the control plane and the benchmark with tsc (tsx's start-up and memory would skew
# the numbers), then runs it. Pass --in-memory to measure without fsync.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p bench/control-plane/tsconfig.json
node node_modules/.cache/dmac-bench/bench/control-plane/run.js "$@"
