// The TCP sockets a process listens on, read from /proc (Linux): which address each is bound to.
// Lets a test say "every port this platform opened is on loopback" without knowing the ports.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Listener {
  address: string;
  port: number;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // the fd closed meanwhile
    }
  }
  return inodes;
}

function decode(hex: string, v6: boolean): string {
  if (!v6) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
  // /proc/net/tcp6: four little-endian 32-bit words.
  const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(":");
  return text === "0:0:0:0:0:0:0:1" ? "::1" : text === "0:0:0:0:0:0:0:0" ? "::" : text === "0:0:0:0:0:ffff:7f00:1" ? "::ffff:127.0.0.1" : text;
}

/** Every TCP socket in LISTEN state that belongs to one of `pids`. */
export function listeners(pids: number[]): Listener[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const out: Listener[] = [];
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9]!)) continue;
      const [addr, port] = cols[1]!.split(":") as [string, string];
      out.push({ address: decode(addr, v6), port: parseInt(port, 16) });
    }
  }
  return out;
}

export const isLoopback = (address: string): boolean => address.startsWith("127.") || address === "::1" || address === "::ffff:127.0.0.1";
