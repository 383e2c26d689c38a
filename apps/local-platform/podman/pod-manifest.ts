// What a kubelet does to a Deployment's pod template before the container runtime sees it, as a
// pure function: the Pod that `podman kube play` runs for one Deployment of the rendered tree.
// The template's image, command, args, env, volume mounts and container securityContext pass
// through unchanged; what the translation adds is what a cluster adds around them:
// - the ServiceAccount token volume at /var/run/secrets/kubernetes.io/serviceaccount and the
//   KUBERNETES_SERVICE_HOST/PORT variables (in-cluster configuration);
// - Secret references resolved into values (the kubelet's job; podman would want podman secrets);
// - cluster DNS: every Service name of the tree answers at 127.0.0.1 (pods share the host's
//   network, so each Service port is its pod's port on loopback), through an /etc/hosts the
//   runtime writes and mounts, as a kubelet mounts its own (podman ignores hostAliases on the
//   host's network);
// - PersistentVolumeClaims bound to host directories (a local-path provisioner);
// - probes removed: podman would run httpGet probes inside the image (with curl, which our
//   images do not have); the runtime probes from the host, as a kubelet does from the node.
// Pod Security fields podman does not enforce (runAsNonRoot, seccompProfile) are checked here.
import type { V1Container, V1Deployment, V1EnvVar, V1Pod, V1Volume } from "@kubernetes/client-node";

export const serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface PodContext {
  /** The API server as pods reach it (host networking: loopback). */
  readonly apiServer: { readonly host: string; readonly port: number };
  /** Host directory holding token, ca.crt and namespace of the pod's ServiceAccount. */
  readonly serviceAccountDir: (namespace: string, serviceAccount: string) => string;
  /** Host directory bound to a PersistentVolumeClaim. */
  readonly claimDir: (namespace: string, claim: string) => string;
  /** One key of a Secret, or undefined when the Secret or key does not exist. */
  readonly secretValue: (namespace: string, secret: string, key: string) => string | undefined;
  /** Host file mounted as the pod's /etc/hosts (hostsFileText of the tree's Service names). */
  readonly hostsFile: string;
  /** The local image to run for a reference of the tree (the same one when present). */
  readonly image: (reference: string) => string;
}

export class PodManifestError extends Error {}

/** The Pod for replica `index` of a Deployment; throws PodManifestError naming the field at fault. */
export function podForDeployment(deployment: V1Deployment, context: PodContext): V1Pod {
  const name = deployment.metadata?.name;
  const namespace = deployment.metadata?.namespace ?? "default";
  const template = deployment.spec?.template;
  if (!name || !template?.spec) throw new PodManifestError(`Deployment ${namespace}/${name ?? "?"}: spec.template.spec is missing`);
  const where = `Deployment ${namespace}/${name}`;
  if ((deployment.spec?.replicas ?? 1) > 1) {
    throw new PodManifestError(`${where}: spec.replicas is ${deployment.spec?.replicas}; pods share the host's network here, so a second replica would collide on its ports (render 1 replica for the local environment)`);
  }
  const podSpec = template.spec;
  const podSecurity = podSpec.securityContext ?? {};
  if (podSecurity.seccompProfile?.type !== "RuntimeDefault") throw new PodManifestError(`${where}: spec.template.spec.securityContext.seccompProfile.type must be RuntimeDefault (Pod Security "restricted")`);
  const serviceAccount = podSpec.serviceAccountName ?? "default";
  const mountToken = podSpec.automountServiceAccountToken !== false;

  const volumes: V1Volume[] = [];
  for (const volume of podSpec.volumes ?? []) {
    if (volume.emptyDir) volumes.push({ name: volume.name, emptyDir: {} });
    else if (volume.persistentVolumeClaim) volumes.push({ name: volume.name, hostPath: { path: context.claimDir(namespace, volume.persistentVolumeClaim.claimName), type: "Directory" } });
    else throw new PodManifestError(`${where}: volume "${volume.name}" has a type the local runtime does not provide (emptyDir and persistentVolumeClaim are supported)`);
  }
  const tokenVolume = "kube-api-access";
  const hostsVolume = "etc-hosts";
  volumes.push({ name: hostsVolume, hostPath: { path: context.hostsFile, type: "File" } });
  if (mountToken) volumes.push({ name: tokenVolume, hostPath: { path: context.serviceAccountDir(namespace, serviceAccount), type: "Directory" } });

  const containers = podSpec.containers.map((container, index) => {
    const at = `${where}: spec.template.spec.containers[${index}] (${container.name})`;
    const user = container.securityContext?.runAsUser ?? podSecurity.runAsUser;
    const group = container.securityContext?.runAsGroup ?? podSecurity.runAsGroup;
    const nonRoot = container.securityContext?.runAsNonRoot ?? podSecurity.runAsNonRoot;
    if (nonRoot !== true) throw new PodManifestError(`${at}: runAsNonRoot must be true (Pod Security "restricted")`);
    // podman cannot check runAsNonRoot against the image's user, so a numeric non-root user is required.
    if (user === undefined || user === 0) throw new PodManifestError(`${at}: runAsUser must be a non-zero UID (runAsNonRoot cannot be checked against the image here)`);
    const security = container.securityContext ?? {};
    if (security.allowPrivilegeEscalation !== false) throw new PodManifestError(`${at}: securityContext.allowPrivilegeEscalation must be false`);
    if (!(security.capabilities?.drop ?? []).includes("ALL")) throw new PodManifestError(`${at}: securityContext.capabilities.drop must include ALL`);
    const env: V1EnvVar[] = [
      ...(container.env ?? []).map((variable) => resolveEnv(variable, { at, namespace, pod: name, context })),
      { name: "KUBERNETES_SERVICE_HOST", value: context.apiServer.host },
      { name: "KUBERNETES_SERVICE_PORT", value: String(context.apiServer.port) },
    ];
    const out: V1Container = {
      name: container.name,
      image: context.image(container.image ?? ""),
      imagePullPolicy: "Never",
      ...(container.command ? { command: container.command } : {}),
      ...(container.args ? { args: container.args } : {}),
      ...(container.workingDir ? { workingDir: container.workingDir } : {}),
      env,
      // No ports: on the host's network a container port is the host's (podman refuses port
      // mappings there), and readinessOf reads the rendered ones.
      ...(container.resources ? { resources: container.resources } : {}),
      securityContext: { ...security, runAsUser: user, ...(group !== undefined ? { runAsGroup: group } : {}) },
      volumeMounts: [
        ...(container.volumeMounts ?? []),
        { name: hostsVolume, mountPath: "/etc/hosts", readOnly: true },
        ...(mountToken ? [{ name: tokenVolume, mountPath: serviceAccountMountPath, readOnly: true }] : []),
      ],
    };
    return out;
  });

  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { ...(template.metadata?.labels ?? {}) }, annotations: { "dmac.ioos.us/deployment": `${namespace}/${name}` } },
    spec: {
      hostNetwork: true,
      // The Deployment's Always is carried out by the runtime (runtime.ts), with a doubling delay,
      // a report of each exit and a stop at a crash loop; podman would restart at once, silently.
      restartPolicy: "Never",
      containers,
      volumes,
    },
  };
}

function resolveEnv(variable: V1EnvVar, where: { at: string; namespace: string; pod: string; context: PodContext }): V1EnvVar {
  const from = variable.valueFrom;
  if (!from) return { name: variable.name, value: variable.value ?? "" };
  if (from.secretKeyRef) {
    const { name: secret, key, optional } = from.secretKeyRef;
    const value = where.context.secretValue(where.namespace, secret ?? "", key);
    if (value === undefined) {
      if (optional) return { name: variable.name, value: "" };
      throw new PodManifestError(`${where.at}: env ${variable.name}: key "${key}" of Secret ${where.namespace}/${secret ?? ""} does not exist`);
    }
    return { name: variable.name, value };
  }
  if (from.fieldRef) {
    const field = from.fieldRef.fieldPath;
    const values: Record<string, string> = { "metadata.name": where.pod, "metadata.namespace": where.namespace, "status.podIP": "127.0.0.1", "status.hostIP": "127.0.0.1" };
    const value = values[field];
    if (value === undefined) throw new PodManifestError(`${where.at}: env ${variable.name}: fieldRef ${field} is not provided by the local runtime`);
    return { name: variable.name, value };
  }
  throw new PodManifestError(`${where.at}: env ${variable.name}: only value, secretKeyRef and fieldRef are supported by the local runtime`);
}

/** The names a pod may use for a Service: `<svc>.<ns>.svc.cluster.local`, `<svc>.<ns>.svc`, `<svc>.<ns>`. */
export function serviceHostnames(services: readonly { name: string; namespace: string }[]): string[] {
  return services.flatMap(({ name, namespace }) => [`${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}.svc`, `${name}.${namespace}`]).sort();
}

/** The pods' /etc/hosts: loopback, and every Service name at loopback. */
export function hostsFileText(hostnames: readonly string[]): string {
  return ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", ...hostnames.map((h) => `127.0.0.1\t${h}`)].join("\n") + "\n";
}

/** The HTTP readiness check a kubelet would run for the pod's first container, if it declares one. */
export function readinessOf(deployment: V1Deployment): { path: string; port: number } | undefined {
  const container = deployment.spec?.template.spec?.containers[0];
  const probe = container?.readinessProbe?.httpGet;
  if (!probe || !container) return undefined;
  const port = typeof probe.port === "number" ? probe.port : container.ports?.find((p) => p.name === probe.port)?.containerPort;
  return port === undefined ? undefined : { path: probe.path ?? "/", port };
}
