// The kubeconfig clients use to reach the embedded control plane (context `dmac-local`).
// Plain HTTP on loopback by default: client-node only talks to http:// servers when the cluster
// entry has insecure-skip-tls-verify, so it is set then. With TLS the entry carries the CA instead.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export const CONTEXT = "dmac-local";

export function kubeconfigFor(server: string, namespace = "default", caPem?: string): string {
  const cluster = caPem === undefined ? { server, "insecure-skip-tls-verify": true } : { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CONTEXT, cluster }],
    // Over HTTPS kubectl prompts for a user name when the user entry holds no credential, so the
    // entry names a bearer token. Nothing checks it yet: authentication is issue #15.
    users: [{ name: CONTEXT, user: caPem === undefined ? {} : { token: "dmac-local-admin" } }],
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
