#!/usr/bin/env bash
# Makes podman able to run containers on these machines (../shared/notes/stack-facts.md, "Containers
# here"): the sandbox lacks CAP_SYS_RESOURCE (podman's default ulimits fail with "setrlimit
# RLIMIT_NPROC: Operation not permitted") and uses hybrid cgroups, which crun refuses, so runc.
# Sets exactly these keys in /etc/containers/containers.conf (or $CONTAINERS_CONF), keeping the rest;
# running it again changes nothing. Needs root (sudo when not root).
set -euo pipefail
conf="${CONTAINERS_CONF:-/etc/containers/containers.conf}"
SUDO=""
if [ "$(id -u)" != "0" ] && [ ! -w "$(dirname "$conf")" ]; then SUDO="sudo"; fi

# /usr/bin/python3: Debian's, present wherever apt is (tomllib is not needed: a line-level edit).
$SUDO /usr/bin/python3 - "$conf" <<'EOF'
import os, re, sys
path = sys.argv[1]
wanted = {
    "containers": {"default_ulimits": '["nofile=4096:4096", "nproc=4096:4096"]'},
    "engine": {"runtime": '"runc"'},
}
lines = open(path).read().splitlines() if os.path.exists(path) else []
section = None
seen = set()
out = []
for line in lines:
    m = re.match(r"\s*\[([A-Za-z0-9_.]+)\]\s*$", line)
    if m:
        # Before leaving a section, add its keys that were not there.
        if section in wanted:
            out.extend(f"{k} = {v}" for k, v in wanted[section].items() if (section, k) not in seen)
            seen.update((section, k) for k in wanted[section])
        section = m.group(1)
        out.append(line)
        continue
    k = re.match(r"\s*([A-Za-z0-9_]+)\s*=", line)
    if section in wanted and k and k.group(1) in wanted[section]:
        out.append(f"{k.group(1)} = {wanted[section][k.group(1)]}")
        seen.add((section, k.group(1)))
        continue
    out.append(line)
if section in wanted:
    out.extend(f"{k} = {v}" for k, v in wanted[section].items() if (section, k) not in seen)
    seen.update((section, k) for k in wanted[section])
for sec, keys in wanted.items():
    missing = [(k, v) for k, v in keys.items() if (sec, k) not in seen]
    if missing:
        out.append(f"[{sec}]")
        out.extend(f"{k} = {v}" for k, v in missing)
text = "\n".join(out) + "\n"
if not os.path.exists(path) or open(path).read() != text:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    print(f"containers-conf: updated {path}")
EOF
