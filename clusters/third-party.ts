// Third-party components, installed by ArgoCD from Helm charts pinned to exact versions.
// Values keep every pod within Pod Security "restricted" and switch off the charts' own
// NetworkPolicies: ours (clusters/platform-chart.ts) are the single source for each namespace.

export interface HelmComponent {
  /** ArgoCD Application name. */
  readonly name: string;
  readonly namespace: string;
  readonly repoURL: string;
  readonly chart: string;
  /** Exact chart version: no ranges, no `latest`. */
  readonly version: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Large objects (the DaskJob CRD is ~470 KB) exceed the client-side apply annotation limit. */
  readonly serverSideApply: boolean;
  readonly wave: number;
}

export const daskOperatorNamespace = "dask-operator";
export const rabbitmqNamespace = "rabbitmq";
export const ingressNamespace = "traefik";

const restrictedContainer = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const helmComponents: readonly HelmComponent[] = [
  {
    name: "dask-kubernetes-operator",
    namespace: daskOperatorNamespace,
    repoURL: "https://helm.dask.org",
    chart: "dask-kubernetes-operator",
    version: "2024.9.0",
    values: {
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      securityContext: restrictedContainer,
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
    serverSideApply: true,
    wave: 1,
  },
  {
    name: "rabbitmq",
    namespace: rabbitmqNamespace,
    repoURL: "https://charts.bitnami.com/bitnami",
    chart: "rabbitmq",
    version: "14.7.0",
    values: {
      replicaCount: 1,
      podSecurityContext: { enabled: true, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } },
      containerSecurityContext: { enabled: true, runAsUser: 1001, ...restrictedContainer },
      networkPolicy: { enabled: false },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    serverSideApply: false,
    wave: 1,
  },
  {
    name: "traefik",
    namespace: ingressNamespace,
    repoURL: "https://traefik.github.io/charts",
    chart: "traefik",
    version: "36.3.0",
    values: {
      ingressClass: { enabled: true, isDefaultClass: true, name: "traefik" },
      providers: { kubernetesIngress: { enabled: true }, kubernetesCRD: { enabled: false } },
      securityContext: restrictedContainer,
      podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    },
    serverSideApply: false,
    wave: 1,
  },
];

/** The in-cluster AMQP endpoint of the RabbitMQ release (Service `rabbitmq` in its namespace). */
export const rabbitmqUrl = `amqp://rabbitmq.${rabbitmqNamespace}.svc:5672`;
