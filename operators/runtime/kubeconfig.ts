// One connection pool per operator process. @kubernetes/client-node 2.0 builds a new undici Agent
// for every request whenever the cluster has TLS settings (a CA, client certificates, or
// insecure-skip-tls-verify) and never closes it, so each reconcile opened fresh connections that
// stayed alive for the keep-alive timeout: under a burst of 1,000 objects the operator held ~860
// idle sockets with their buffers (hundreds of MB of RSS). This KubeConfig lets client-node do its
// authentication as usual, then swaps the per-request Agent for one shared Agent, recreated only
// when the current cluster or user's TLS material changes (for example a new context).
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/** What the per-request Agent is built from: a change to any of it needs a new Agent. */
function tlsIdentity(kubeConfig: KubeConfig): string {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  return JSON.stringify([
    cluster?.server, cluster?.caData, cluster?.caFile, cluster?.skipTLSVerify, cluster?.tlsServerName, cluster?.proxyUrl,
    user?.certData, user?.certFile, user?.keyData, user?.keyFile,
  ]);
}

export class SharedConnectionKubeConfig extends KubeConfig {
  private shared: { identity: string; dispatcher: Dispatcher } | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const created = context.getDispatcher();
    // No TLS settings: client-node uses undici's global dispatcher, which already pools.
    if (!created) return;
    const identity = tlsIdentity(this);
    if (this.shared?.identity === identity) {
      context.setDispatcher(this.shared.dispatcher);
      // The fresh Agent never connected; closing it releases nothing but makes the intent plain.
      void created.close().catch(() => undefined);
      return;
    }
    const previous = this.shared;
    this.shared = { identity, dispatcher: created };
    // Requests in flight on the old Agent finish; then its sockets close.
    void previous?.dispatcher.close().catch(() => undefined);
  }

  /** Closes the shared connections (on shutdown). */
  async closeConnections(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    await shared?.dispatcher.close().catch(() => undefined);
  }
}

/** A copy of `kubeConfig` whose API clients share one connection pool. */
export function withSharedConnections(kubeConfig: KubeConfig): SharedConnectionKubeConfig {
  if (kubeConfig instanceof SharedConnectionKubeConfig) return kubeConfig;
  const shared = new SharedConnectionKubeConfig();
  shared.loadFromOptions({ clusters: kubeConfig.clusters, users: kubeConfig.users, contexts: kubeConfig.contexts, currentContext: kubeConfig.getCurrentContext() });
  return shared;
}
