// Kubeconfigs for the embedded control plane (context `dmac-local`). Plain HTTP on loopback by
// default: client-node only talks to http:// servers when the cluster entry has
// insecure-skip-tls-verify, so it is set then. With TLS the entry carries the CA instead.
import { stringify } from "yaml";
import { writePrivateFile } from "./private-file.js";

export const CONTEXT = "dmac-local";

/**
 * A static bearer token (the admin kubeconfig, `kubectl`), or a token file a rotator rewrites
 * (a ServiceAccount's, as the kubelet projects it into a pod). client-node re-reads a token file
 * every minute only through its `tokenFile` auth provider, so that is how a file is named.
 */
export type KubeconfigCredential = { readonly token: string } | { readonly tokenFile: string };

export function kubeconfigFor(server: string, credential: KubeconfigCredential, namespace = "default", caPem?: string): string {
  const cluster = caPem === undefined ? { server, "insecure-skip-tls-verify": true } : { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") };
  const user = "token" in credential ? { token: credential.token } : { "auth-provider": { name: "tokenFile", config: { tokenFile: credential.tokenFile } } };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CONTEXT, cluster }],
    users: [{ name: CONTEXT, user }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace } }],
    "current-context": CONTEXT,
    preferences: {},
  });
}

/** A kubeconfig holds a credential: mode 0600, written whole. */
export function writeKubeconfig(path: string, text: string): void {
  writePrivateFile(path, text);
}
