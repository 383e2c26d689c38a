// The operator under the RBAC rendered in clusters/local: with one rule removed from its
// ClusterRole, the reconcile that needs it fails with kube-apiserver's 403, and the object says so
// (Degraded=True, reason Forbidden, naming verb, resource and namespace) with a Warning Event,
// so a missing permission shows in CI and in `kubectl describe`, not as a silent stall in production.
import { CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../crds/index.js";
import { datasets, ResourceClient } from "../../operators/client.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** The rendered ClusterRole dmac-operator without `create` on catalogentries. */
function withoutCatalogEntryCreate(objects: KubernetesObject[]): KubernetesObject[] {
  return objects.map((o) => {
    if (o.kind !== "ClusterRole" || o.metadata?.name !== "dmac-operator") return o;
    const rules = (o as unknown as { rules: Rule[] }).rules;
    const kept = rules.flatMap((r) => {
      if (!r.resources.includes("catalogentries")) return [r];
      const verbs = r.verbs.filter((v) => v !== "create");
      return verbs.length > 0 ? [{ ...r, verbs }] : [];
    });
    expect(kept).not.toEqual(rules); // the rule this test removes exists in the rendered tree
    return { ...o, rules: kept } as KubernetesObject;
  });
}

describe("operator RBAC", () => {
  let stack: OperatorStack;

  beforeAll(async () => {
    stack = await startOperatorStack({
      tempPrefix: "dmac-rbac-",
      namespace: "gcoos",
      servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset" },
      operator: { identity: "rbac-test", resyncMs: 2000 },
      editRbac: withoutCatalogEntryCreate,
    });
  }, 120_000);

  afterAll(() => stack?.stop());

  it("a permission missing from the ClusterRole makes the reconcile fail with 403, reported as a condition and an Event", async () => {
    const sets = new ResourceClient(stack.kc, datasets);
    const dataset: Dataset = {
      apiVersion: "dmac.ioos.us/v1alpha1",
      kind: "Dataset",
      metadata: { name: "needs-catalog", namespace: "gcoos" },
      spec: {
        storage: { url: "file:///needs-catalog.zarr", format: "zarr-v2" },
        model: "roms",
        aggregation: { type: "append", concatDim: "ocean_time" },
        encoding: { codec: "zlib", level: 1 },
        catalog: { enabled: true, title: "needs a CatalogEntry", license: "CC0-1.0", description: "created by the operator", keywords: [] },
        deletionPolicy: "Retain",
      },
    };
    await sets.create(dataset);
    const degraded = await until("Degraded=Forbidden", async () => {
      const current = await sets.get("gcoos", "needs-catalog");
      const condition = current?.status?.conditions?.find((c) => c.type === "Degraded");
      return condition?.reason === "Forbidden" ? condition : undefined;
    }, 60_000);
    expect(degraded.status).toBe("True");
    expect(degraded.message).toContain('User "system:serviceaccount:dmac-system:dmac-operator" cannot create resource "catalogentries" in API group "dmac.ioos.us" in the namespace "gcoos"');
    const events = await stack.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: "gcoos" });
    const warning = events.items.find((e) => e.reason === "Forbidden" && e.involvedObject.name === "needs-catalog");
    expect(warning?.type).toBe("Warning");
    expect(warning?.message).toContain('cannot create resource "catalogentries"');
  }, 90_000);
});
