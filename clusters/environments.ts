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
  /**
   * The one TCP port the container listens on (HTTP; the operator's /metrics, /healthz, /readyz).
   * Its Service, if any, exposes the same number: no port translation anywhere, so a pod on the
   * host's network (the podman runtime) is reached at the port its Service names.
   */
  readonly port: number;
}

/** The platform workloads rendered by the charts beside each app's code. */
export type WorkloadName = "operator" | "catalogApi" | "dataApi" | "viewer" | "eventBridge";

/**
 * PostgreSQL and the S3-compatible object store of an environment without a cloud stack (no
 * clusters/config/<env>.outputs.json): reached at fixed Service names in the platform namespace,
 * `catalog-db` and `object-store`, rendered without a selector; whoever runs the cluster points them
 * at the servers (`dmac up --runtime podman` runs both on the host). With a stack, RDS and S3 replace them.
 */
export interface BackingServices {
  readonly catalogDbPort: number;
  readonly objectStorePort: number;
}

/** A ReadWriteMany volume mounted at /data: rw in the operator (stores, inputs), ro in the data API. */
export interface DataVolume {
  readonly claimName: string;
  readonly sizeGiB: number;
}

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
  /** Used when the environment has no stack outputs; see BackingServices. */
  readonly backingServices: BackingServices;
  /** Only where Dataset stores are file:// (local); the cloud's are s3:// in the stack's bucket. */
  readonly dataVolume?: DataVolume;
  /**
   * The platform event bus (docs/events.md): `rabbitmq` (the RabbitMQ release of clusters/third-party.ts,
   * so NODD notifications reach the operator and dataset.updated every data API replica), or
   * `inprocess` where no broker runs (the local tree, whose podman runtime runs no RabbitMQ; `dmac up
   * --bus rabbitmq` brings its own and runs the event bridge in process).
   */
  readonly bus: "inprocess" | "rabbitmq";
}

export const repoURL = "https://github.com/ioos/nextgen-dmac.git";
// Images are pinned to what `npm run images` built: `repository:tag@sha256:digest` from the committed
// images/images.lock.json. The event bridge runs `dmac event-bridge` from the operator's image (the
// Node images hold the same runtime tree and differ only in their default command).
const image = (app: ImageApp): string => pinnedImage(app);

const size = (cpuRequest: number, cpuLimit: number, memRequest: number, memLimit: number): ContainerSizing => ({
  cpu: { requestMillis: cpuRequest, limitMillis: cpuLimit },
  memoryMiB: { request: memRequest, limit: memLimit },
});

// Ports. Dev and prod keep the Kubernetes convention (HTTP 8080, the operator's probes 8081): every
// pod has its own address there. Locally the podman runtime runs pods on the host's network, so each
// container needs a port of its own, picked from 17080-17089 to stay clear of what a developer's
// machine usually runs (3000, 5000, 8000, 8080, 9000...). The catalog's PostgreSQL too: a
// developer's own server (or Debian's default cluster) usually holds 5432.
const localPorts = { operator: 17080, catalogApi: 17081, dataApi: 17082, viewer: 17083, objectStore: 17084, catalogDb: 17085, eventBridge: 17086 } as const;
const cloudPorts = { operator: 8081, catalogApi: 8080, dataApi: 8080, viewer: 8080, eventBridge: 8080 } as const;
/** Without a stack, dev and prod expect their object store where most S3-compatible servers listen. */
const clusterBackingServices: BackingServices = { catalogDbPort: 5432, objectStorePort: 9000 };

// The viewer serves its esbuild bundle from memory and proxies the APIs; esbuild's own process
// (about 50 MiB) stays beside Node's (about 120 MiB), and the one build at start takes a core for
// half a second, hence a CPU limit well above the request.
const local: EnvironmentConfig = {
  name: "local",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: true, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 1, sizing: size(50, 500, 128, 512), port: localPorts.operator },
    catalogApi: { image: image("catalog-api"), replicas: 1, sizing: size(50, 500, 128, 256), port: localPorts.catalogApi },
    dataApi: { image: image("data-api"), replicas: 1, sizing: size(50, 1000, 256, 1024), port: localPorts.dataApi },
    viewer: { image: image("viewer"), replicas: 1, sizing: size(25, 1000, 192, 384), port: localPorts.viewer },
    // Scaled to 0: no NODD queues locally; `dmac up --bus rabbitmq` runs it in process as this ServiceAccount.
    eventBridge: { image: image("operator"), replicas: 0, sizing: size(25, 250, 96, 256), port: localPorts.eventBridge },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.localhost",
  backingServices: { catalogDbPort: localPorts.catalogDb, objectStorePort: localPorts.objectStore },
  dataVolume: { claimName: "dmac-data", sizeGiB: 20 },
  bus: "inprocess",
};

const dev: EnvironmentConfig = {
  name: "dev",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: true, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 1, sizing: size(100, 1000, 256, 1024), port: cloudPorts.operator },
    catalogApi: { image: image("catalog-api"), replicas: 1, sizing: size(100, 500, 256, 512), port: cloudPorts.catalogApi },
    dataApi: { image: image("data-api"), replicas: 2, sizing: size(250, 2000, 512, 2048), port: cloudPorts.dataApi },
    viewer: { image: image("viewer"), replicas: 1, sizing: size(50, 1000, 192, 384), port: cloudPorts.viewer },
    eventBridge: { image: image("operator"), replicas: 1, sizing: size(50, 250, 128, 256), port: cloudPorts.eventBridge },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.dev.ioos.us",
  backingServices: clusterBackingServices,
  bus: "rabbitmq",
};

// Production prunes only on a human's sync: a bad merge must not delete data-bearing resources.
const prod: EnvironmentConfig = {
  name: "prod",
  repoURL,
  targetRevision: "main",
  sync: { automated: true, prune: false, selfHeal: true },
  workloads: {
    operator: { image: image("operator"), replicas: 2, sizing: size(250, 2000, 512, 2048), port: cloudPorts.operator },
    catalogApi: { image: image("catalog-api"), replicas: 2, sizing: size(250, 1000, 512, 1024), port: cloudPorts.catalogApi },
    dataApi: { image: image("data-api"), replicas: 3, sizing: size(500, 4000, 1024, 4096), port: cloudPorts.dataApi },
    viewer: { image: image("viewer"), replicas: 2, sizing: size(100, 1000, 256, 512), port: cloudPorts.viewer },
    eventBridge: { image: image("operator"), replicas: 2, sizing: size(100, 500, 128, 256), port: cloudPorts.eventBridge },
  },
  domains: ["maracoos", "gcoos"],
  apiHost: "dmac.ioos.us",
  backingServices: clusterBackingServices,
  bus: "rabbitmq",
};

export const environments: readonly EnvironmentConfig[] = [local, dev, prod];

export function environment(name: string): EnvironmentConfig {
  const found = environments.find((e) => e.name === name);
  if (!found) throw new Error(`unknown environment "${name}" (known: ${environments.map((e) => e.name).join(", ")})`);
  return found;
}
