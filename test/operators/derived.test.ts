// Derived IngestJobs on the embedded control plane: a 6-hourly maximum of zeta kept current from
// the sample CBOFS best forecast as its cycles arrive (only the periods a cycle touches are
// recomputed, counted in status.derived), equal to xarray on the source store, and bad input
// Degraded naming the field with nothing written.
import { execFile } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { promisify } from "node:util";
import { basename, dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { periodStart } from "../../dataplane/transform/periods.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";
import { checkWithXarray, romsDataset, sampleCycles, validTimeOf } from "../transform/samples.js";

const ns = "maracoos";
const condition = (o: { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }, type: string) => o.status?.conditions?.find((c) => c.type === type);
const SIX_HOURS = { periodMs: 6 * 3_600_000, offsetMs: 0 };

describe("derived IngestJobs", () => {
  let stack: OperatorStack;
  let jobs: ResourceClient<IngestJob>;
  let sets: ResourceClient<Dataset>;
  const cycles = sampleCycles();

  beforeAll(async () => {
    stack = await startOperatorStack({ tempPrefix: "dmac-derived-", namespace: ns, servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset" }, operator: { identity: "test-operator", resyncMs: 2000 } });
    jobs = new ResourceClient(stack.kc, ingestJobs);
    sets = new ResourceClient(stack.kc, datasets);
  }, 120_000);
  afterAll(() => stack.stop());

  const dataset = (name: string, type: "best-forecast" | "append"): Dataset => romsDataset(ns, name, type);
  const derivedJob = (name: string, source: string, target: string, transform: NonNullable<IngestJob["spec"]["transform"]>): IngestJob => ({
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "IngestJob",
    metadata: { name, namespace: ns },
    spec: { source: { datasetRef: { name: source }, credentials: { anonymous: true } }, transform, format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: target }, executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false },
  });

  /** Copies one sample cycle into the inputs and lists every copied file in the source job. */
  async function addCycle(i: number): Promise<void> {
    const files = (cycles[i]?.files ?? []).map((f) => {
      // NODD names: the cycle's folder (cbofs.YYYYMMDD) and the file.
      const to = join(stack.inputs, "cbofs", basename(dirname(f)), basename(f));
      cpSync(f, to, { force: true });
      return `file:///${relative(stack.inputs, to)}`;
    });
    const job = await jobs.get(ns, "cbofs-forecast");
    const urls = [...(job?.spec.source.urls ?? []), ...files];
    if (job === undefined) {
      await jobs.create({
        apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "cbofs-forecast", namespace: ns },
        spec: { source: { urls, credentials: { anonymous: true } }, format: "auto", variables: { include: ["zeta", "temp"] }, qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "cbofs" }, executor: { type: "local" }, parallelism: 2, retryLimit: 1, suspend: false },
      });
    } else await jobs.patch(ns, "cbofs-forecast", { spec: { source: { urls } } });
  }

  it("keeps a 6h max of zeta current as cycles arrive, recomputing only the periods each cycle touches", async () => {
    expect(cycles.length).toBeGreaterThanOrEqual(2);
    await sets.create(dataset("cbofs", "best-forecast"));
    await sets.create(dataset("zeta-6h-max", "append"));
    await addCycle(0);
    await jobs.create(derivedJob("zeta-6h-max", "cbofs", "zeta-6h-max", { select: { variables: ["zeta"] }, resample: { period: "6h", statistic: "max", utcOffset: "+00:00" } }));
    const seen: number[] = [];
    for (let i = 0; i < cycles.length; i++) {
      if (i > 0) await addCycle(i);
      const files = cycles.slice(0, i + 1).flatMap((c) => c.files);
      const periods = [...new Set(files.map((f) => periodStart(validTimeOf(f), SIX_HOURS)))].sort((a, b) => a - b);
      const touched = [...new Set((cycles[i]?.files ?? []).map((f) => periodStart(validTimeOf(f), SIX_HOURS)))];
      let last: unknown;
      const job = await until(`derived job caught up with cycle ${i}`, async () => {
        const j = await jobs.get(ns, "zeta-6h-max");
        last = [j?.status, (await sets.get(ns, "cbofs"))?.status];
        return j?.status?.phase === "Succeeded" && j.status.derived?.steps === periods.length ? j : undefined;
      }, 60_000).catch((error: Error) => { throw new Error(`${error.message}; last status ${JSON.stringify(last)}`); });
      expect(condition(job, "Ready")?.status).toBe("True");
      expect(job.status?.derived?.recomputed).toBe(i === 0 ? periods.length : touched.length);
      expect(job.status?.derived?.chunksRewritten).toBe(i === 0 ? periods.length : touched.length);
      seen.push(job.status?.derived?.steps ?? 0);
    }
    const check = await checkWithXarray({ source: join(stack.stores, "cbofs.zarr"), derived: join(stack.stores, "zeta-6h-max.zarr"), variable: "zeta", period: "6H", statistic: "max" });
    expect(check.detail).toBe("");
    // The derived Dataset is an ordinary Dataset: its reconciler reads the periods as its time steps.
    const derivedSet = await until("derived Dataset Ready with its periods", async () => {
      const d = await sets.get(ns, "zeta-6h-max");
      return d?.status?.timeSteps === seen[seen.length - 1] ? d : undefined;
    });
    expect(derivedSet.status?.extent?.timeStart).toBe(check.times[0] + "Z");
  }, 300_000);

  it("a variable the source lacks, or a level on a 2-D variable: Degraded naming the field, nothing written", async () => {
    await sets.create(dataset("bad-variable", "append"));
    await sets.create(dataset("bad-level", "append"));
    await jobs.create(derivedJob("bad-variable", "cbofs", "bad-variable", { select: { variables: ["sst"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } }));
    await jobs.create(derivedJob("bad-level", "cbofs", "bad-level", { select: { variables: ["zeta"], level: "surface" } }));
    for (const [name, field] of [["bad-variable", "spec.transform.select.variables"], ["bad-level", "spec.transform.select.level"]] as const) {
      const job = await until(`${name} Degraded`, async () => {
        const j = await jobs.get(ns, name);
        return j && condition(j, "Degraded")?.status === "True" ? j : undefined;
      });
      expect(condition(job, "Degraded")?.reason).toBe("InvalidTransform");
      expect(condition(job, "Degraded")?.message).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}: `));
      expect(existsSync(join(stack.stores, `${name}.zarr`, ".zmetadata"))).toBe(false);
    }
  }, 120_000);

  it("kubectl explain documents the transform from the CRD", async () => {
    const explain = async (field: string) => (await promisify(execFile)("kubectl", ["--kubeconfig", stack.kubeconfigPath, "explain", field])).stdout;
    expect(await explain("ingestjob.spec.transform")).toMatch(/What to compute from the source Dataset[\s\S]*rechunk[\s\S]*resample[\s\S]*select/);
    expect(await explain("ingestjob.spec.transform.resample.period")).toContain("must divide a day");
    expect(await explain("ingestjob.spec.source.datasetRef")).toContain("Derive from another Dataset");
    expect(await explain("ingestjob.status.derived.provisional")).toContain("rewritten when the rest arrives");
  }, 60_000);
});
