// Shared by the chart tests: the rendered tree parsed back into objects, as ArgoCD would read it.
import { parseAllDocuments } from "yaml";
import type { StackOutputs } from "../../clusters/config/stack-outputs.js";
import { renderAll, type GeneratedFile } from "../../clusters/render.js";

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

export interface RenderedObject {
  readonly path: string;
  readonly obj: Obj;
}

export function parseFiles(files: readonly GeneratedFile[]): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(f.text)) {
      if (doc.errors.length > 0) throw new Error(`${f.path}: ${doc.errors[0]?.message}`);
      const obj = doc.toJS() as Obj | null;
      if (obj) out.push({ path: f.path, obj });
    }
  }
  return out;
}

let cache: { files: GeneratedFile[]; objects: RenderedObject[] } | undefined;

/** Every generated file of the repository and the objects in them (all environments). */
export function rendered(): { files: GeneratedFile[]; objects: RenderedObject[] } {
  if (!cache) {
    const files = renderAll();
    cache = { files, objects: parseFiles(files) };
  }
  return cache;
}

export const envNames = ["local", "dev", "prod"] as const;

export function envOf(path: string): string | undefined {
  return /^clusters\/([^/]+)\//.exec(path)?.[1];
}

const podTemplateKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"]);

export interface PodSpecLike {
  securityContext?: Record<string, unknown>;
  containers: Record<string, unknown>[];
  initContainers?: Record<string, unknown>[];
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

/** Pod specs of every workload (Pods, templates of controllers, CronJob job templates). */
export function podSpecs(objects: readonly RenderedObject[]): { path: string; name: string; kind: string; labels: Record<string, string>; spec: PodSpecLike }[] {
  const out = [];
  for (const { path, obj } of objects) {
    const spec = obj.spec as Record<string, any> | undefined;
    let pod: { metadata?: { labels?: Record<string, string> }; spec: PodSpecLike } | undefined;
    if (obj.kind === "Pod") pod = { metadata: obj.metadata, spec: spec as PodSpecLike };
    else if (podTemplateKinds.has(obj.kind)) pod = spec?.template;
    else if (obj.kind === "CronJob") pod = spec?.jobTemplate?.spec?.template;
    if (pod) out.push({ path, name: `${obj.metadata.namespace}/${obj.metadata.name}`, kind: obj.kind, labels: pod.metadata?.labels ?? {}, spec: pod.spec });
  }
  return out;
}

/** What `infra/` would export for a prod stack (fixture values, no AWS involved). */
export const fixtureOutputs: StackOutputs = {
  region: "us-east-1",
  dataBucket: "dmac-prod-datalake",
  queueUrls: { ofs: "https://sqs.us-east-1.amazonaws.com/123456789012/dmac-prod-ofs", rtofs: "https://sqs.us-east-1.amazonaws.com/123456789012/dmac-prod-rtofs" },
  roleArns: {
    operator: "arn:aws:iam::123456789012:role/dmac-prod-operator",
    eventBridge: "arn:aws:iam::123456789012:role/dmac-prod-event-bridge",
    dataApi: "arn:aws:iam::123456789012:role/dmac-prod-data-api",
    catalogApi: "arn:aws:iam::123456789012:role/dmac-prod-catalog-api",
  },
  catalogDatabase: { endpoint: "dmac-prod.cluster-abc.us-east-1.rds.amazonaws.com:5432", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dmac-prod-catalog" },
};

