// Applies a rendered environment (clusters/<env>/) to a cluster in ArgoCD's wave order, the way
// `kubectl apply` would: create, or replace what exists. Used by `dmac up` for clusters/local.
import { KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { applyPlan } from "../../clusters/apply-plan.js";
import type { GeneratedFile } from "../../clusters/render.js";

export interface ApplySummary {
  readonly applied: number;
  readonly files: number;
  /** Helm-sourced components nothing runs locally (dask operator, RabbitMQ, ingress). */
  readonly skippedCharts: string[];
}

function readTree(repoRoot: string, dir: string): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const entry of readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: relative(repoRoot, full).split(sep).join("/"), text: readFileSync(full, "utf8") } as GeneratedFile);
  }
  return files;
}

const httpStatus = (error: unknown): number | undefined => (error as { code?: number }).code;

async function applyObject(api: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  try {
    await api.create(object);
  } catch (error) {
    if (httpStatus(error) !== 409) throw error;
    const current = await api.read(object as { metadata: { name: string; namespace?: string } } & KubernetesObject);
    await api.replace({ ...object, metadata: { ...object.metadata, resourceVersion: current.metadata?.resourceVersion } });
  }
}

export async function applyEnvironment(kubeConfig: KubeConfig, repoRoot: string, env: string, onStep?: (name: string, objects: number) => void): Promise<ApplySummary> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const plan = applyPlan(env, readTree(repoRoot, `clusters/${env}`));
  let applied = 0;
  let files = 0;
  for (const step of plan.steps) {
    const objects: KubernetesObject[] = [];
    let hasCrds = false;
    for (const path of step.files) {
      files += 1;
      for (const object of loadAllYaml(readFileSync(join(repoRoot, path), "utf8")) as (KubernetesObject | null)[]) {
        if (object?.kind) objects.push(object);
        if (object?.kind === "CustomResourceDefinition") hasCrds = true;
      }
    }
    // Within a wave ArgoCD (like kubectl) applies namespaces and definitions before what uses them.
    objects.sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
    for (const object of objects) await applyObject(api, object);
    // CRDs register their endpoints live; wait for discovery before their objects follow.
    if (hasCrds) await waitForCrds(api);
    applied += objects.length;
    onStep?.(step.name, objects.length);
  }
  return { applied, files, skippedCharts: plan.helmCharts.map((c) => `${c.name} (${c.chart} ${c.version})`) };
}

const kindOrder = ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Secret", "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "NetworkPolicy", "Service"];
function kindRank(kind: string | undefined): number {
  const index = kindOrder.indexOf(kind ?? "");
  return index < 0 ? kindOrder.length : index;
}

async function waitForCrds(api: KubernetesObjectApi): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const served = await api.list("dmac.ioos.us/v1alpha1", "Dataset").then(() => true, () => false);
    if (served) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("CRDs applied but dmac.ioos.us/v1alpha1 is not served");
}
