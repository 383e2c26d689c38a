// The environments we render into clusters/<env>/. Everything that differs between environments is
// here, in one typed table, so a pull request that changes an environment shows up in one place.
import { pinnedImage, type ImageApp } from "../images/lock.js";

/** Resource requests and limits of one container; CPU in millicores, memory in MiB. */
export interface ContainerSizing {
  readonly cpu: { readonly requestMillis: number; readonly limitMillis: number };
  readonly memoryMiB: { readonly request: number; readonly limit: number };
}

/** How one platform workload runs in an environment. */
export interface WorkloadConfig {
  /** Image reference with a pinned tag or digest; `latest` and untagged images are rejected. */
  readonly image: string;
  readonly replicas: number;
  readonly sizing: ContainerSizing;
}

/** The platform workloads rendered by the charts beside each app's code. */
export type WorkloadName = "operator" | "catalogApi" | "dataApi" | "eventBridge" | "viewer";

/** ArgoCD automated sync settings; `prune` deletes what left Git, `selfHeal` reverts drift. */
export interface SyncPolicy {
  readonly automated: boolean;
  readonly prune: boolean;
  readonly selfHeal: boolean;
}

export interface EnvironmentConfig {
  readonly name: "local" | "dev" | "prod";
  /** Git repository and revision ArgoCD syncs `clusters/<name>/` from. */
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly sync: SyncPolicy;
  readonly workloads: Readonly<Record<WorkloadName, WorkloadConfig>>;
  /** Regional associations (sample domains from crds/samples.ts) that get a namespace each. */
  readonly domains: readonly string[];
  /** Host name the ingress controller routes to the catalog and data APIs. */
  readonly apiHost: string;
}

export const repoURL = "https://github.com/ioos/nextgen-dmac.git";
// Images are pinned to what `npm run images` built: `repository:tag@sha256:digest` from the committed
// images/images.lock.json. The event bridge has no image until its command exists (issue 17).
const image = (app: ImageApp | "event-bridge"): string => (app === "event-bridge" ? "ghcr.io/ioos/dmac-event-bridge:0.1.0" : pinnedImage(app));

const size = (cpuRequest: number, cpuLimit: number, memRequest: number, memLimit: number): ContainerSizing => ({
  cpu: { requestMillis: cpuRequest, limitMillis: cpuLimit },
  memoryMiB: { request: memRequest, limit: memLimit },
});

// The viewer serves its esbuild bundle from memory and proxies the APIs; esbuild's own process
// (about 50 MiB) stays beside Node's (about 120 MiB), and the one build at start takes a core for
// half a second, hence a CPU limit well above the request.
const local: EnvironmentConfig = {
  name: "local",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: true, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 1, sizing: size(50, 500, 128, 512) },
    catalogApi: { image: image("catalog-api"), replicas: 1, sizing: size(50, 500, 128, 256) },
    dataApi: { image: image("data-api"), replicas: 1, sizing: size(50, 1000, 256, 1024) },
    eventBridge: { image: image("event-bridge"), replicas: 1, sizing: size(25, 250, 64, 128) },
    viewer: { image: image("viewer"), replicas: 1, sizing: size(25, 1000, 192, 384) },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.localhost",
};

const dev: EnvironmentConfig = {
  name: "dev",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: true, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 1, sizing: size(100, 1000, 256, 1024) },
    catalogApi: { image: image("catalog-api"), replicas: 1, sizing: size(100, 500, 256, 512) },
    dataApi: { image: image("data-api"), replicas: 2, sizing: size(250, 2000, 512, 2048) },
    eventBridge: { image: image("event-bridge"), replicas: 1, sizing: size(50, 250, 128, 256) },
    viewer: { image: image("viewer"), replicas: 1, sizing: size(50, 1000, 192, 384) },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.dev.ioos.us",
};

// Production prunes only on a human's sync: a bad merge must not delete data-bearing resources.
const prod: EnvironmentConfig = {
  name: "prod",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: false, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 2, sizing: size(250, 2000, 512, 2048) },
    catalogApi: { image: image("catalog-api"), replicas: 2, sizing: size(250, 1000, 512, 1024) },
    dataApi: { image: image("data-api"), replicas: 3, sizing: size(500, 4000, 1024, 4096) },
    eventBridge: { image: image("event-bridge"), replicas: 2, sizing: size(100, 500, 128, 256) },
    viewer: { image: image("viewer"), replicas: 2, sizing: size(100, 1000, 256, 512) },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.ioos.us",
};

export const environments: readonly EnvironmentConfig[] = [local, dev, prod];

export function environment(name: string): EnvironmentConfig {
  const found = environments.find((e) => e.name === name);
  if (!found) throw new Error(`unknown environment "${name}" (known: ${environments.map((e) => e.name).join(", ")})`);
  return found;
}
