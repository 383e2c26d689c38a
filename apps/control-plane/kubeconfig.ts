// The kubeconfig clients use to reach the embedded control plane (context `dmac-local`).
// Plain HTTP on loopback: client-node only talks to http:// servers when the cluster entry has
// insecure-skip-tls-verify, so it is set; there are no credentials to protect.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export const CONTEXT = "dmac-local";

export function kubeconfigFor(server: string, namespace = "default"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CONTEXT, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: CONTEXT, user: {} }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace } }],
    "current-context": CONTEXT,
    preferences: {},
  });
}

/** Writes atomically (temp file + rename) so a reader never sees half a kubeconfig. */
export function writeKubeconfig(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
