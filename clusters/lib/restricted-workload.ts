// A Deployment that meets Pod Security "restricted", with requests, limits and probes always set.
// cdk8s-plus-27 cannot express two of the restricted requirements (seccompProfile RuntimeDefault and
// dropping the "ALL" capability: its Capability enum only lists CAP_* names), so they are JSON-patched in.
import { ApiObject, Duration, JsonPatch, Size } from "cdk8s";
import type { Construct } from "constructs";
import * as kplus from "cdk8s-plus-27";
import { k8s } from "cdk8s-plus-27";
import type { ContainerSizing } from "../environments.js";
import { componentLabels, selectorLabels } from "./labels.js";

/** The unprivileged user and group of our distroless images. */
export const nonRootId = 65532;

export interface HttpProbes {
  /** Port the container serves its health endpoints on. */
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
}

/**
 * An environment variable's value: a literal, a key of a Secret (created outside Git, e.g. by
 * `dmac up --runtime podman` or the platform engineer), or a field of the pod (fieldRef).
 */
export type EnvSource = string | { readonly secret: string; readonly key: string } | { readonly podField: "metadata.name" };

/** A PersistentVolumeClaim mounted into the container. */
export interface ClaimMount {
  readonly claimName: string;
  readonly path: string;
  readonly readOnly: boolean;
}

export interface RestrictedWorkloadProps {
  readonly name: string;
  readonly namespace: string;
  readonly component: string;
  /** Pinned image reference; see assertPinnedImage. */
  readonly image: string;
  readonly replicas: number;
  readonly sizing: ContainerSizing;
  readonly serviceAccount: kplus.IServiceAccount;
  /** True only for workloads that call the Kubernetes API. */
  readonly mountServiceAccountToken: boolean;
  readonly probes: HttpProbes;
  /** Extra ports, e.g. metrics; the probe port is always exposed as "http". */
  readonly ports?: readonly { readonly name: string; readonly number: number }[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, EnvSource>>;
  /** Size of the writable /tmp (the root filesystem is read-only). */
  readonly tmpSizeMiB?: number;
  readonly claims?: readonly ClaimMount[];
}

function envValue(scope: Construct, id: string, name: string, source: EnvSource): kplus.EnvValue {
  if (typeof source === "string") return kplus.EnvValue.fromValue(source);
  if ("podField" in source) return kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME);
  const secret = kplus.Secret.fromSecretName(scope, `${id}-env-${name}`, source.secret);
  return kplus.EnvValue.fromSecretValue({ secret, key: source.key });
}

const pinnedImage = /^[a-z0-9.-]+(?::[0-9]+)?\/[a-z0-9._/-]+(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$/;

/** Throws unless the image has a tag other than `latest` or a sha256 digest. */
export function assertPinnedImage(image: string, where: string): void {
  const match = pinnedImage.exec(image);
  const hasDigest = image.includes("@sha256:");
  const tag = match?.groups?.tag;
  if (!match || (!hasDigest && (tag === undefined || tag === "latest"))) {
    throw new Error(`${where}: image "${image}" must be pinned to a version tag or digest (never untagged or latest)`);
  }
}

export function restrictedDeployment(scope: Construct, id: string, props: RestrictedWorkloadProps): kplus.Deployment {
  assertPinnedImage(props.image, `${props.namespace}/${props.name}`);
  const { sizing, probes } = props;
  const labels = componentLabels(props.name, props.component);
  const tmp = kplus.Volume.fromEmptyDir(scope, `${id}-tmp`, "tmp", { sizeLimit: Size.mebibytes(props.tmpSizeMiB ?? 64) });
  const claimMounts = (props.claims ?? []).map((c) => ({
    path: c.path,
    readOnly: c.readOnly,
    volume: kplus.Volume.fromPersistentVolumeClaim(scope, `${id}-${c.claimName}`, kplus.PersistentVolumeClaim.fromClaimName(scope, `${id}-${c.claimName}-claim`, c.claimName), { name: c.claimName, readOnly: c.readOnly }),
  }));
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels },
    replicas: props.replicas,
    select: false,
    podMetadata: { labels },
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: props.mountServiceAccountToken,
    securityContext: { ensureNonRoot: true, user: nonRootId, group: nonRootId, fsGroup: nonRootId },
    containers: [
      {
        name: props.name,
        image: props.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: "http", number: probes.port }, ...(props.ports ?? []).map((p) => ({ name: p.name, number: p.number }))],
        ...(props.args ? { args: [...props.args] } : {}),
        envVariables: Object.fromEntries(
          Object.entries(props.env ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, envValue(scope, id, k, v)]),
        ),
        resources: {
          cpu: { request: kplus.Cpu.millis(sizing.cpu.requestMillis), limit: kplus.Cpu.millis(sizing.cpu.limitMillis) },
          memory: { request: Size.mebibytes(sizing.memoryMiB.request), limit: Size.mebibytes(sizing.memoryMiB.limit) },
        },
        liveness: kplus.Probe.fromHttpGet(probes.livenessPath, { port: probes.port, periodSeconds: Duration.seconds(10) }),
        readiness: kplus.Probe.fromHttpGet(probes.readinessPath, { port: probes.port, periodSeconds: Duration.seconds(5) }),
        startup: kplus.Probe.fromHttpGet(probes.livenessPath, { port: probes.port, failureThreshold: 30, periodSeconds: Duration.seconds(2) }),
        securityContext: {
          ensureNonRoot: true,
          user: nonRootId,
          group: nonRootId,
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        },
        volumeMounts: [{ path: "/tmp", volume: tmp }, ...claimMounts],
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(props.name) }));
  if (props.replicas > 1) {
    // Node drains keep at least one replica serving; a single replica is allowed to move.
    new k8s.KubePodDisruptionBudget(scope, `${id}-pdb`, {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(props.name) } },
    });
  }
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.add("/spec/template/spec/securityContext/seccompProfile", { type: "RuntimeDefault" }),
    JsonPatch.add("/spec/template/spec/containers/0/securityContext/capabilities", { drop: ["ALL"] }),
    // cdk8s-plus labels pods with a hash of the construct path; renaming a construct would then
    // restart every pod. Our selector labels are explicit, so the hash label goes.
    JsonPatch.remove("/spec/template/metadata/labels/cdk8s.io~1metadata.addr"),
  );
  return deployment;
}

/**
 * A ClusterIP Service in front of a workload's "http" port, on the same number: in-cluster clients
 * use http://<name>.<namespace>.svc.cluster.local:<port>, and NetworkPolicies, which see the pod's
 * port, name the number the client dials.
 */
export function httpService(scope: Construct, id: string, props: { name: string; namespace: string; component: string; port: number }): kplus.Service {
  return new kplus.Service(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: componentLabels(props.name, props.component) },
    type: kplus.ServiceType.CLUSTER_IP,
    selector: kplus.Pods.select(scope, `${id}-pods`, { labels: selectorLabels(props.name) }),
    ports: [{ name: "http", port: props.port, targetPort: props.port }],
  });
}

/** In-cluster base URL of a workload's Service (see httpService). */
export const serviceUrl = (name: string, namespace: string, port: number): string => `http://${name}.${namespace}.svc.cluster.local:${port}`;

/** A ServiceAccount, annotated with its IAM role (IRSA) when the environment has a cloud stack. */
export function serviceAccount(scope: Construct, id: string, props: { name: string; namespace: string; component: string; roleArn?: string }): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, id, {
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: componentLabels(props.name, props.component),
      ...(props.roleArn ? { annotations: { "eks.amazonaws.com/role-arn": props.roleArn } } : {}),
    },
    automountToken: false,
  });
}
