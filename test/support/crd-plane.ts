// An in-memory embedded control plane serving our CRDs, with one namespace: what a suite needs to
// create IngestJobs and Datasets for a component that only reads them (the event bridge), as admin.
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { customResourceDefinitions } from "../../crds/index.js";
import { toClientModel } from "../../operators/runtime/index.js";
import { until } from "./until.js";

export async function startCrdPlane(namespace: string): Promise<{ plane: ControlPlane; kc: KubeConfig; objects: KubernetesObjectApi }> {
  const plane = await startControlPlane({ inMemory: true });
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const crd of customResourceDefinitions) await objects.create(toClientModel(crd));
  await objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  await until("CRDs served", () => objects.list("dmac.ioos.us/v1alpha1", "IngestJob", namespace).then(() => true, () => false), 30_000);
  return { plane, kc, objects };
}
