// ArgoCD bootstrap: the argo-cd Helm chart (pinned version, owning argocd-cm with our Lua health checks),
// then the environment's root Application over `clusters/<stack>/apps` of this repository. From then on
// ArgoCD, not Pulumi, owns what runs in the cluster.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";

export const argocdNamespace = "argocd";
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const argoHelmRepo = "https://argoproj.github.io/argo-helm";

/**
 * Helm values for argo-cd. The release owns argocd-cm (docs/gitops.md: one writer); `resourceCustomizations`
 * are its Lua health checks for our kinds, from clusters/argocd/health.ts, merged into `configs.cm`.
 */
export function argocdValues(resourceCustomizations: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    global: { logging: { format: "json" } },
    configs: {
      cm: { "timeout.reconciliation": "180s", ...resourceCustomizations },
      params: { "server.insecure": false },
    },
    // No public UI: reach it with `kubectl -n argocd port-forward svc/argocd-server 8080:443`.
    server: { service: { type: "ClusterIP" } },
  };
}

/** Where the GitOps tree renders an environment's root Application (clusters/argocd/applications.ts). */
export function renderedRootAppPath(stack: string): string {
  return `clusters/${stack}/bootstrap/application-dmac-${stack}.yaml`;
}

export interface ApplicationManifest {
  readonly apiVersion: "argoproj.io/v1alpha1";
  readonly kind: "Application";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly finalizers?: string[] };
  readonly spec: {
    readonly source: { readonly repoURL: string; readonly targetRevision: string; readonly path: string };
    readonly [field: string]: unknown;
  };
}

/**
 * The root Application Pulumi creates: the one the GitOps tree renders for this environment
 * (`dmac-<stack>`, syncing `clusters/<stack>/apps`, with its sync policy), so the tree stays the single
 * source of its shape, with the repository and revision taken from the stack config. Refuses a manifest
 * that is not an Application for this stack under `clusters/<stack>/`.
 */
export function rootApplication(rendered: unknown, cfg: Pick<StackConfig, "stack" | "gitRepoUrl" | "gitRevision">, source: string): ApplicationManifest {
  const m = rendered as Partial<ApplicationManifest> | null;
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  if (!m || m.apiVersion !== "argoproj.io/v1alpha1" || m.kind !== "Application") fail("is not an argoproj.io/v1alpha1 Application");
  if (m!.metadata?.name !== `dmac-${cfg.stack}`) fail(`metadata.name must be dmac-${cfg.stack}, got ${JSON.stringify(m!.metadata?.name)}`);
  if (m!.metadata?.namespace !== argocdNamespace) fail(`metadata.namespace must be ${argocdNamespace}`);
  const path = m!.spec?.source?.path;
  if (typeof path !== "string" || !path.startsWith(`clusters/${cfg.stack}/`) || path.includes("..")) fail(`spec.source.path must be under clusters/${cfg.stack}/, got ${JSON.stringify(path)}`);
  return {
    ...(m as ApplicationManifest),
    spec: { ...m!.spec!, source: { ...m!.spec!.source!, repoURL: cfg.gitRepoUrl, targetRevision: cfg.gitRevision } },
  };
}

/** Reads and parses the rendered root Application from the repository checkout. */
export function readRenderedRootApp(stack: string): { manifest: unknown; source: string } {
  const source = renderedRootAppPath(stack);
  const file = join(repoRoot, source);
  if (!existsSync(file)) throw new Error(`${source} does not exist: run \`npm run synth\` (the GitOps tree has no environment ${stack})`);
  return { manifest: parse(readFileSync(file, "utf8")) as unknown, source };
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
  const rendered = readRenderedRootApp(cfg.stack);
  const app = rootApplication(rendered.manifest, cfg, rendered.source);
  const root = new k8s.apiextensions.CustomResource(
    `${name}-root-app`,
    { apiVersion: app.apiVersion, kind: app.kind, metadata: app.metadata, spec: app.spec },
    { provider, dependsOn: [release] },
  );
  return { release, root };
}
