import { describe, expect, it } from "vitest";
import { applyPlan } from "../../clusters/apply-plan.js";
import { renderAll } from "../../clusters/render.js";

const files = renderAll();

describe("applyPlan (ArgoCD's order, for applying without ArgoCD)", () => {
  const plan = applyPlan("local", files);
  const index = (name: string) => plan.steps.findIndex((s) => s.name === name);

  it("applies namespaces, then CRDs, then the operator, then the APIs, then each domain", () => {
    expect(plan.steps.map((s) => s.name)).toEqual(["platform", "crds", "operator", "catalog-api", "data-api", "event-bridge", "viewer", "domain-gcoos", "domain-maracoos"]);
    expect(index("crds")).toBeLessThan(index("domain-maracoos"));
  });

  it("covers every component and domain file of the environment exactly once", () => {
    const planned = plan.steps.flatMap((s) => s.files);
    expect(new Set(planned).size).toBe(planned.length);
    const expected = files.map((f) => f.path).filter((p) => /^clusters\/local\/(components|domains)\//.test(p));
    expect([...planned].sort()).toEqual(expected.sort());
    expect(plan.steps.find((s) => s.name === "domain-maracoos")?.files).toContain("clusters/local/domains/maracoos/ingestjob-cbofs-forecast.yaml");
  });

  it("lists the Helm charts it cannot apply itself", () => {
    expect(plan.helmCharts.map((h) => h.chart).sort()).toEqual(["dask-kubernetes-operator", "rabbitmq", "traefik"]);
  });

  it("rejects an environment that was not rendered", () => {
    expect(() => applyPlan("staging", files)).toThrow(/clusters\/staging\/apps/);
  });
});
