// Debian's server packages (postgresql, rabbitmq-server) refuse to run as root: when dmac up or a
// suite runs as root, their data directories are handed to the package's own system account.
import { execFileSync } from "node:child_process";

/** The uid and gid of a system account, such as `postgres` or `rabbitmq`. */
export function systemAccountIds(account: string): { uid: number; gid: number } {
  const id = (flag: "-u" | "-g") => Number(execFileSync("id", [flag, account]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}
