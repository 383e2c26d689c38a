// ArgoCD wiring of an environment: the root Application (app of apps), the AppProject, one
// Application per component, one per third-party Helm chart, and the ApplicationSet over domains.
import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../environments.js";
import type { HelmComponent } from "../third-party.js";
import { argocdResourceCustomizations } from "./health.js";
import { envPaths } from "../env-paths.js";

export const argocdNamespace = "argocd";
export const projectName = "dmac";
export const inCluster = "https://kubernetes.default.svc";
const argoApiVersion = "argoproj.io/v1alpha1";

/** A component rendered by us into `clusters/<env>/components/<name>/`. */
export interface GitComponent {
  readonly name: string;
  readonly namespace: string;
  readonly wave: number;
  readonly serverSideApply: boolean;
}


const waveAnnotation = (wave: number): Record<string, string> => ({ "argocd.argoproj.io/sync-wave": String(wave) });

function syncPolicy(env: EnvironmentConfig, options: { serverSideApply: boolean; customResources?: boolean }): Record<string, unknown> {
  const syncOptions = [
    "PrunePropagationPolicy=foreground",
    ...(options.serverSideApply ? ["ServerSideApply=true"] : []),
    // A first sync can dry-run custom resources before their CRD exists; the waves order the real apply.
    ...(options.customResources ? ["SkipDryRunOnMissingResource=true"] : []),
  ];
  return {
    ...(env.sync.automated ? { automated: { prune: env.sync.prune, selfHeal: env.sync.selfHeal } } : {}),
    syncOptions,
    retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
  };
}

function application(scope: Construct, props: { name: string; wave: number; source: Record<string, unknown>; namespace: string; syncPolicy: Record<string, unknown> }): void {
  new ApiObject(scope, `application-${props.name}`, {
    apiVersion: argoApiVersion,
    kind: "Application",
    metadata: {
      name: props.name,
      namespace: argocdNamespace,
      annotations: waveAnnotation(props.wave),
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
      labels: { "app.kubernetes.io/part-of": "dmac" },
    },
    spec: {
      project: projectName,
      source: props.source,
      destination: { server: inCluster, namespace: props.namespace },
      syncPolicy: props.syncPolicy,
    },
  });
}

export interface AppsChartProps {
  readonly env: EnvironmentConfig;
  readonly components: readonly GitComponent[];
  readonly helm: readonly HelmComponent[];
  readonly domains: readonly string[];
  /** Wave of the domain ApplicationSet: after the operator, so custom resources meet a running controller. */
  readonly domainsWave: number;
  /** Namespaces the project may deploy to (platform, third-party, domains). */
  readonly namespaces: readonly string[];
}

/** Everything under `clusters/<env>/apps/`, which the root Application syncs. */
export class AppsChart extends Chart {
  constructor(scope: Construct, id: string, props: AppsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    const paths = envPaths(env.name);
    const helmRepos = [...new Set(props.helm.map((h) => h.repoURL))].sort();

    new ApiObject(this, "project", {
      apiVersion: argoApiVersion,
      kind: "AppProject",
      metadata: { name: projectName, namespace: argocdNamespace, annotations: waveAnnotation(-1) },
      spec: {
        description: `IOOS Next-Gen DMAC (${env.name})`,
        sourceRepos: [env.repoURL, ...helmRepos],
        destinations: [...props.namespaces].sort().map((namespace) => ({ server: inCluster, namespace })),
        // Cluster-scoped kinds our components and the pinned Helm charts create; nothing else.
        clusterResourceWhitelist: [
          { group: "", kind: "Namespace" },
          { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
          { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
          { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
          { group: "networking.k8s.io", kind: "IngressClass" },
        ],
      },
    });

    for (const c of props.components) {
      application(this, {
        name: c.name,
        wave: c.wave,
        namespace: c.namespace,
        source: { repoURL: env.repoURL, targetRevision: env.targetRevision, path: `${paths.components}/${c.name}` },
        syncPolicy: syncPolicy(env, { serverSideApply: c.serverSideApply }),
      });
    }
    for (const h of props.helm) {
      application(this, {
        name: h.name,
        wave: h.wave,
        namespace: h.namespace,
        source: { repoURL: h.repoURL, chart: h.chart, targetRevision: h.version, helm: { releaseName: h.name, valuesObject: h.values } },
        syncPolicy: syncPolicy(env, { serverSideApply: h.serverSideApply }),
      });
    }

    // Adding a domain is a pull request that adds clusters/<env>/domains/<domain>/; this generator finds it.
    new ApiObject(this, "domains", {
      apiVersion: argoApiVersion,
      kind: "ApplicationSet",
      metadata: { name: "domains", namespace: argocdNamespace, annotations: waveAnnotation(props.domainsWave) },
      spec: {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [{ git: { repoURL: env.repoURL, revision: env.targetRevision, directories: [{ path: `${paths.domains}/*` }] } }],
        // Removing a domain folder removes its Application but never cascades to the data resources.
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: "domain-{{.path.basename}}",
            namespace: argocdNamespace,
            labels: { "app.kubernetes.io/part-of": "dmac", "dmac.ioos.us/domain": "{{.path.basename}}" },
          },
          spec: {
            project: projectName,
            source: { repoURL: env.repoURL, targetRevision: env.targetRevision, path: "{{.path.path}}" },
            destination: { server: inCluster, namespace: "{{.path.basename}}" },
            syncPolicy: syncPolicy(env, { serverSideApply: false, customResources: true }),
          },
        },
      },
    });
  }
}

/**
 * `clusters/<env>/bootstrap/`: applied once when ArgoCD is installed (kubectl apply, or by Pulumi
 * together with the ArgoCD Helm release, which gets the same health customizations via `configs.cm`).
 * From then on the root Application syncs `clusters/<env>/apps/` and everything else follows from Git.
 */
export class BootstrapChart extends Chart {
  constructor(scope: Construct, id: string, props: { env: EnvironmentConfig }) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    new ApiObject(this, "argocd-cm", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "argocd-cm",
        namespace: argocdNamespace,
        labels: { "app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd" },
      },
      data: argocdResourceCustomizations(),
    });
    new ApiObject(this, "root", {
      apiVersion: argoApiVersion,
      kind: "Application",
      metadata: { name: `dmac-${env.name}`, namespace: argocdNamespace, finalizers: ["resources-finalizer.argocd.argoproj.io"] },
      spec: {
        // The root app only creates the dmac project and Applications; it lives in the default project.
        project: "default",
        source: { repoURL: env.repoURL, targetRevision: env.targetRevision, path: envPaths(env.name).apps },
        destination: { server: inCluster, namespace: argocdNamespace },
        syncPolicy: syncPolicy(env, { serverSideApply: false }),
      },
    });
  }
}
