// Runs the ArgoCD Lua health scripts, as rendered into argocd-cm, in a real Lua 5.4 (wasmoon)
// against sample statuses, the way ArgoCD calls them: the object as global `obj`, a table returned.
import { LuaFactory, type LuaEngine } from "wasmoon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argocdResourceCustomizations, dmacKinds, healthKeyPrefix } from "../../clusters/argocd/health.js";

interface Health {
  status: string;
  message: string;
}

const factory = new LuaFactory();
let lua: LuaEngine;
beforeAll(async () => {
  lua = await factory.createEngine({ enableProxy: false });
});
afterAll(() => lua.global.close());

const scripts = argocdResourceCustomizations();

async function health(key: string, obj: unknown): Promise<Health> {
  const script = scripts[`${healthKeyPrefix}${key}`];
  if (script === undefined) throw new Error(`no health script for ${key}`);
  lua.global.set("obj", obj);
  return (await lua.doString(script)) as Health;
}

const ready = (status: "True" | "False" | "Unknown", extra: Record<string, unknown> = {}) => ({
  type: "Ready",
  status,
  reason: status === "True" ? "Reconciled" : "SourceUnreachable",
  message: status === "True" ? "3 stores up to date" : "s3://noaa-nos-ofs-pds: access denied",
  lastTransitionTime: "2026-11-24T12:00:00Z",
  observedGeneration: 3,
  ...extra,
});

describe("argocd-cm health customizations", () => {
  it("has one key per dmac kind, DaskJob and Application", () => {
    expect(Object.keys(scripts).sort()).toEqual(
      [...dmacKinds.map((k) => `dmac.ioos.us_${k}`), "kubernetes.dask.org_DaskJob", "argoproj.io_Application"].map((k) => healthKeyPrefix + k).sort(),
    );
  });
});

describe.each(dmacKinds)("%s health", (kind) => {
  const key = `dmac.ioos.us_${kind}`;
  const meta = { name: "cbofs", namespace: "maracoos", generation: 3 };

  it("is Healthy when Ready is True at the current generation", async () => {
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [ready("True")] } });
    expect(h).toEqual({ status: "Healthy", message: "3 stores up to date" });
  });

  it("is Progressing when the status is for an older generation", async () => {
    const h = await health(key, { metadata: meta, status: { observedGeneration: 2, conditions: [ready("True", { observedGeneration: 2 })] } });
    expect(h.status).toBe("Progressing");
    expect(h.message).toContain("generation 3");
  });

  it("is Progressing when only the Ready condition is stale", async () => {
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [ready("True", { observedGeneration: 1 })] } });
    expect(h.status).toBe("Progressing");
  });

  it("is Degraded with the reason when Ready is False", async () => {
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [ready("False")] } });
    expect(h).toEqual({ status: "Degraded", message: "SourceUnreachable: s3://noaa-nos-ofs-pds: access denied" });
  });

  it("is Progressing when Ready is Unknown", async () => {
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [ready("Unknown")] } });
    expect(h.status).toBe("Progressing");
  });

  it("is Progressing without a status, or without a Ready condition", async () => {
    expect((await health(key, { metadata: meta })).status).toBe("Progressing");
    const other = { type: "Stalled", status: "False", reason: "None", message: "", lastTransitionTime: "2026-11-24T12:00:00Z" };
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [other] } });
    expect(h).toEqual({ status: "Progressing", message: "Waiting for the Ready condition" });
  });

  it("finds Ready among several conditions", async () => {
    const other = { type: "Published", status: "True", reason: "Done", message: "", lastTransitionTime: "2026-11-24T12:00:00Z" };
    const h = await health(key, { metadata: meta, status: { observedGeneration: 3, conditions: [other, ready("False")] } });
    expect(h.status).toBe("Degraded");
  });
});

describe("IngestJob suspend", () => {
  it("is Suspended when spec.suspend is true, whatever the status", async () => {
    const h = await health("dmac.ioos.us_IngestJob", { metadata: { generation: 1 }, spec: { suspend: true }, status: { observedGeneration: 1, conditions: [ready("True")] } });
    expect(h.status).toBe("Suspended");
  });
  it("ignores suspend: false", async () => {
    const h = await health("dmac.ioos.us_IngestJob", { metadata: { generation: 3 }, spec: { suspend: false }, status: { observedGeneration: 3, conditions: [ready("True")] } });
    expect(h.status).toBe("Healthy");
  });
});

describe("DaskJob health (status.jobStatus)", () => {
  const cases: [string | undefined, string][] = [
    [undefined, "Progressing"],
    ["JobCreated", "Progressing"],
    ["ClusterCreated", "Progressing"],
    ["Running", "Progressing"],
    ["Successful", "Healthy"],
    ["Failed", "Degraded"],
  ];
  it.each(cases)("jobStatus %s → %s", async (jobStatus, expected) => {
    const obj = { metadata: { name: "cbofs-run" }, ...(jobStatus ? { status: { jobStatus } } : {}) };
    expect((await health("kubernetes.dask.org_DaskJob", obj)).status).toBe(expected);
  });
  it("names the phase while running", async () => {
    expect((await health("kubernetes.dask.org_DaskJob", { status: { jobStatus: "Running" } })).message).toBe("Job is Running");
  });
});

describe("child Application health (app of apps waits per wave)", () => {
  it("reports the child's own health", async () => {
    expect((await health("argoproj.io_Application", { status: { health: { status: "Degraded", message: "operator crash" } } }))).toEqual({ status: "Degraded", message: "operator crash" });
    expect((await health("argoproj.io_Application", { status: { health: { status: "Healthy" } } })).status).toBe("Healthy");
  });
  it("is Progressing before the child reports", async () => {
    expect((await health("argoproj.io_Application", {})).status).toBe("Progressing");
  });
});
