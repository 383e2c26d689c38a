// ArgoCD bootstrap: the argo-cd Helm chart (pinned version), then the root Application that points at
// `clusters/<stack>` of this repository. From then on ArgoCD, not Pulumi, owns what runs in the cluster.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";

export const argocdNamespace = "argocd";
export const argoHelmRepo = "https://argoproj.github.io/argo-helm";
/** The GitOps tree's entry per environment (rendered by clusters/argocd/applications.ts BootstrapChart). */
export function bootstrapPath(stack: string): string {
  return `clusters/${stack}/bootstrap`;
}

/**
 * Helm values for argo-cd. `resourceCustomizations` are argocd-cm keys (health checks in Lua for our
 * kinds, from clusters/argocd/health.ts) merged into `configs.cm`.
 */
export function argocdValues(resourceCustomizations: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    global: { logging: { format: "json" } },
    configs: {
      cm: {
        // Admin access goes through SSO or `kubectl port-forward`; no public UI by default.
        "admin.enabled": true,
        "timeout.reconciliation": "180s",
        ...resourceCustomizations,
      },
      params: { "server.insecure": false },
    },
    server: { service: { type: "ClusterIP" } },
  };
}

/**
 * The Application Pulumi creates: it syncs `clusters/<stack>/bootstrap/` (argocd-cm and the
 * environment's root Application `dmac-<stack>`, which syncs `clusters/<stack>/apps/`, and so on down).
 * No prune and no cascade finalizer: removing a file from bootstrap/ by mistake must not delete the
 * platform; selfHeal still reverts hand edits.
 */
export function rootApplication(cfg: Pick<StackConfig, "stack" | "gitRepoUrl" | "gitRevision">) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: `dmac-${cfg.stack}-bootstrap`, namespace: argocdNamespace },
    spec: {
      project: "default",
      source: { repoURL: cfg.gitRepoUrl, targetRevision: cfg.gitRevision, path: bootstrapPath(cfg.stack) },
      destination: { server: "https://kubernetes.default.svc", namespace: argocdNamespace },
      syncPolicy: {
        automated: { prune: false, selfHeal: true },
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
      },
    },
  } as const;
}

export function installArgocd(
  name: string,
  cfg: StackConfig,
  provider: k8s.Provider,
  dependsOn: pulumi.Resource[],
  resourceCustomizations: Readonly<Record<string, string>>,
): { release: k8s.helm.v3.Release; root: k8s.apiextensions.CustomResource } {
  const release = new k8s.helm.v3.Release(
    `${name}-argocd`,
    {
      name: "argocd",
      chart: "argo-cd",
      version: cfg.argocdChartVersion,
      repositoryOpts: { repo: argoHelmRepo },
      namespace: argocdNamespace,
      createNamespace: true,
      atomic: true,
      timeout: 900,
      values: argocdValues(resourceCustomizations),
    },
    { provider, dependsOn },
  );
  const app = rootApplication(cfg);
  const root = new k8s.apiextensions.CustomResource(
    `${name}-root-app`,
    { apiVersion: app.apiVersion, kind: app.kind, metadata: app.metadata, spec: app.spec },
    { provider, dependsOn: [release] },
  );
  return { release, root };
}
