// The production rehearsal: `dmac up --runtime podman` runs the rendered clusters/local as
// containers from the images `npm run images` built, and everything below goes through what a
// platform engineer has: kubectl, the S3 endpoint, and the APIs' HTTP ports. The object store is
// fauxqs (an S3/SQS/SNS emulator from npm) and the catalog database Debian's PostgreSQL, as the
// runtime provides them; the containers reach both through the rendered Services and Secrets.
import { PutObjectCommand, S3Client, CreateBucketCommand } from "@aws-sdk/client-s3";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { crashLimit, startPodmanPlatform, type ContainerDeathReport, type PodmanPlatform } from "../../apps/local-platform/podman/runtime.js";
import type { IngestJob } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { createLogger } from "../../operators/runtime/index.js";
import { romsFile } from "../dataplane/fixtures.js";
import { ensureImages } from "../support/images.js";
import { sameAsUninterrupted } from "../support/uninterrupted.js";
import { waiter } from "../support/until.js";
import { launchBrowser, waitReady } from "../viewer/harness.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
const quiet = createLogger("e2e", "warn", new Writable({ write: (_c, _e, cb) => cb() }));
const until = waiter({ timeoutMs: 420_000, intervalMs: 500 });
const soon = waiter({ timeoutMs: 90_000, intervalMs: 500 });
const operatorContainer = "dmac-operator-dmac-operator";

describe("the rendered local tree in containers (dmac up --runtime podman)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-e2e-"));
  chmodSync(dir, 0o711); // PostgreSQL runs as its own user under the data directory
  const kubeconfig = () => platform!.kubeconfigPath;
  let platform: PodmanPlatform | undefined;
  let browser: Browser | undefined;
  const deaths: ContainerDeathReport[] = [];
  const kubectl = async (args: string[]) => (await run("kubectl", ["--kubeconfig", kubeconfig(), ...args], { timeout: 120_000 })).stdout;

  beforeAll(async () => {
    ensureImages();
    platform = await startPodmanPlatform({ dataDir: join(dir, "state"), apiServerPort: 0, repoRoot, log: quiet, onContainerDied: (report) => deaths.push(report) });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("runs one container per Deployment of ours, from the pinned images, as the rendered securityContext says", async () => {
    const containers = JSON.parse((await run("podman", ["ps", "--format", "json"])).stdout) as { Names: string[]; Image: string; Pod: string }[];
    const ours = containers.filter((c) => !c.Names[0]!.endsWith("-infra")).map((c) => c.Names[0]!).sort();
    expect(ours).toEqual(["catalog-api-catalog-api", "data-api-data-api", operatorContainer, "viewer-viewer"]);
    for (const name of ours) {
      const [inspect] = JSON.parse((await run("podman", ["inspect", name])).stdout) as { Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; NetworkMode: string }; ImageName: string }[];
      expect(inspect!.HostConfig.ReadonlyRootfs, name).toBe(true);
      expect(inspect!.Config.User, name).toMatch(/^65532(:65532)?$/);
      expect(inspect!.HostConfig.NetworkMode, name).toBe("host");
      expect(inspect!.ImageName, name).toMatch(/^ghcr\.io\/ioos\/dmac-/);
    }
  });

  it("ingests the shipped samples and answers as npm start does", async () => {
    const jobs = await until("both sample IngestJobs Succeeded", async () => {
      const list = await new ResourceClient(platform!.kubeConfig, ingestJobs).list();
      return list.length >= 4 && list.every((j) => j.status?.phase === "Succeeded") ? list : undefined;
    });
    // The derived sample (issue #18) reads a Dataset, not files.
    for (const job of jobs.filter((j) => j.spec.source.datasetRef === undefined)) expect(job.status?.items).toMatchObject(job.metadata.name === "chesapeake-stations" ? { total: 2, succeeded: 2, failed: 0 } : { total: 12, succeeded: 12, failed: 0 });
    await kubectl(["wait", "--for=condition=Ready", "dataset", "--all", "-A", "--timeout=120s"]);
    const stac = await until("the catalog-api container lists both collections", async () => {
      const body = (await (await fetch(`${platform!.catalogApiUrl}/collections`)).json()) as { collections: { id: string }[] };
      return body.collections.length === 4 ? body : undefined;
    });
    expect(stac.collections.map((c) => c.id).sort()).toEqual(["cbofs-best-forecast", "gcoos-ngofs2-nowcast", "maracoos-cbofs-zeta-daily-max", "maracoos-chesapeake-stations"]);
    const edr = await until("the data-api container discovered both Datasets", async () => {
      const body = (await (await fetch(`${platform!.dataApiUrl}/collections`)).json()) as { collections: { id: string }[] };
      return body.collections.length === 4 ? body : undefined;
    });
    expect(edr.collections.map((c) => c.id).sort()).toEqual(["gcoos-ngofs2-nowcast", "maracoos-cbofs-best-forecast", "maracoos-cbofs-zeta-daily-max", "maracoos-chesapeake-stations"]);
  }, 600_000);

  describe("an s3:// IngestJob applied with kubectl, and the operator container killed mid-ingest", () => {
    const name = "e2e-cbofs";
    const inputs = join(dir, "inputs");
    const files: string[] = [];

    beforeAll(async () => {
      mkdirSync(inputs, { recursive: true });
      // The operator container has half a core (its rendered limit), so 20 files take long enough to kill it mid-way.
      for (let hour = 1; hour <= 20; hour++) files.push(romsFile(inputs, { cycle: new Date("2024-03-01T00:00:00Z"), kind: "f", hour }));
      const s3 = new S3Client({ endpoint: platform!.objectStoreUrl, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "uploader", secretAccessKey: "uploader" } });
      await s3.send(new CreateBucketCommand({ Bucket: "nodd-e2e" }));
      for (const file of files) await s3.send(new PutObjectCommand({ Bucket: "nodd-e2e", Key: `cbofs/${basename(file)}`, Body: readFileSync(file) }));
      const manifests = [
        { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace: "maracoos" }, spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" } },
        { apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace: "maracoos" }, spec: { source: { prefix: { url: "s3://nodd-e2e/cbofs/", keyPattern: "\\.nc$", recursive: true }, region: "us-east-1", credentials: { anonymous: true } }, format: "auto", qualityControl: { enabled: false }, datasetRef: { name }, executor: { type: "local" }, parallelism: 1, retryLimit: 2 } },
        { apiVersion: "dmac.ioos.us/v1alpha1", kind: "CatalogEntry", metadata: { name, namespace: "maracoos" }, spec: { datasetRef: { name }, collection: { id: name, title: "CBOFS e2e", description: "An s3:// source ingested by the operator container", license: "CC0-1.0", keywords: ["e2e"] } } },
      ];
      writeFileSync(join(dir, "e2e.yaml"), manifests.map((m) => stringify(m)).join("---\n"));
    }, 300_000);

    it("kubectl apply, a kill of the operator container mid-ingest, kubectl wait: every file once, equal to an uninterrupted run", async () => {
      await kubectl(["apply", "-f", join(dir, "e2e.yaml")]);
      const jobs = new ResourceClient<IngestJob>(platform!.kubeConfig, ingestJobs);
      // The ledger (beside the store, on the data volume) shows a file being written: kill then.
      const ledgerPath = join(platform!.paths.stores, `${name}.zarr`, ".dmac/ingestjobs/maracoos", `${name}.json`);
      const ledger = () => JSON.parse(readFileSync(ledgerPath, "utf8")) as { items: Record<string, { state: string }> };
      await waiter({ timeoutMs: 300_000, intervalMs: 10 })("a file being written", async () => {
        try {
          return Object.values(ledger().items).some((i) => i.state === "running") || undefined;
        } catch {
          return undefined;
        }
      });
      await run("podman", ["kill", operatorContainer]);
      const atKill = Object.values(ledger().items).filter((i) => i.state === "succeeded").length;
      expect(atKill, "files committed when the operator was killed").toBeLessThan(20);
      await until("the kill was reported with the container's last lines", async () => deaths.find((d) => d.container === operatorContainer));
      expect(deaths.find((d) => d.container === operatorContainer)?.restarting).toBe(true);

      await kubectl(["wait", "--for=jsonpath={.status.phase}=Succeeded", `ingestjob/${name}`, "-n", "maracoos", "--timeout=400s"]);
      await kubectl(["wait", "--for=condition=Ready", `dataset/${name}`, "-n", "maracoos", "--timeout=120s"]);
      const job = await jobs.get("maracoos", name);
      expect(job?.status?.items).toMatchObject({ total: 20, succeeded: 20, failed: 0 });
      const dataset = await new ResourceClient(platform!.kubeConfig, datasets).get("maracoos", name);
      expect(dataset?.status?.timeSteps).toBe(20);

      const store = join(platform!.paths.stores, `${name}.zarr`);
      expect(Object.values(ledger().items).filter((i) => i.state === "succeeded")).toHaveLength(20);
      expect(await sameAsUninterrupted(store, files, join(dir, "reference.zarr"))).toBe(20);
    }, 900_000);

    it("the catalog-api container serves its STAC collection and items from PostgreSQL", async () => {
      const collection = await soon("the collection is published", async () => {
        const response = await fetch(`${platform!.catalogApiUrl}/collections/${name}`);
        return response.ok ? ((await response.json()) as { id: string; extent: { temporal: { interval: (string | null)[][] } } }) : undefined;
      });
      expect(collection.id).toBe(name);
      expect(collection.extent.temporal.interval[0]?.[0]).toBe("2024-03-01T01:00:00Z");
      expect(collection.extent.temporal.interval[0]?.[1]).toBe("2024-03-01T20:00:00Z");
      // itemGranularity defaults to "dataset": one item for the whole store, datetime null, its interval the data's.
      const items = await soon("the whole-dataset item is published", async () => {
        const body = (await (await fetch(`${platform!.catalogApiUrl}/collections/${name}/items`)).json()) as { features: { id: string; properties: Record<string, unknown>; assets: Record<string, { href: string }> }[] };
        return body.features.length > 0 ? body.features : undefined;
      });
      expect(items).toHaveLength(1);
      expect(items[0]!.properties).toMatchObject({ datetime: null, start_datetime: "2024-03-01T01:00:00.000Z", end_datetime: "2024-03-01T20:00:00.000Z" });
      expect(items[0]!.assets.zarr?.href).toBe(`file:///${name}.zarr`);
      // And the sample CBOFS entry (model-cycle) one per model cycle.
      const cycles = await soon("the sample's cycle items are published", async () => {
        const body = (await (await fetch(`${platform!.catalogApiUrl}/collections/cbofs-best-forecast/items`)).json()) as { features: { properties: Record<string, unknown> }[] };
        return body.features.length > 0 ? body.features : undefined;
      });
      expect(cycles.every((item) => typeof item.properties["dmac:cycle_time"] === "string")).toBe(true);
    });

    it("the data-api container answers an EDR position equal to xarray on the same store", async () => {
      const id = `maracoos-${name}`;
      const coverage = await soon("the data API serves the new Dataset", async () => {
        const response = await fetch(`${platform!.dataApiUrl}/collections/${id}/position?coords=POINT(-76.1%2037.6)&parameter-name=zeta`);
        return response.ok ? ((await response.json()) as { domain: { axes: { x: { values: number[] }; y: { values: number[] }; t: { values: string[] } } }; ranges: { zeta: { values: (number | null)[] } } }) : undefined;
      });
      expect(coverage.domain.axes.t.values).toHaveLength(20);
      const [lon] = coverage.domain.axes.x.values;
      const [lat] = coverage.domain.axes.y.values;
      const script = [
        "import sys, json, numpy as np, xarray as xr",
        "ds = xr.open_zarr(sys.argv[1], consolidated=True)",
        "lon, lat = float(sys.argv[2]), float(sys.argv[3])",
        "d = (ds.lon_rho.values - lon) ** 2 + (ds.lat_rho.values - lat) ** 2",
        "j, i = np.unravel_index(np.argmin(d), d.shape)",
        "print(json.dumps([None if np.isnan(v) else float(v) for v in ds.zeta.isel(eta_rho=j, xi_rho=i).values]))",
      ].join("\n");
      const { stdout } = await run("/usr/bin/python3", ["-c", script, join(platform!.paths.stores, `${name}.zarr`), String(lon), String(lat)]);
      const expected = JSON.parse(stdout) as (number | null)[];
      expect(coverage.ranges.zeta.values.length).toBe(expected.length);
      coverage.ranges.zeta.values.forEach((v, k) => (v === null ? expect(expected[k]).toBeNull() : expect(v).toBeCloseTo(expected[k]!, 5)));
    });

    it("the viewer container's page draws the Dataset in Chromium", async () => {
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${platform!.viewerUrl}/?dataset=maracoos-${name}&variable=zeta`);
      await waitReady(page);
      const state = await page.evaluate(() => window.dmacViewer.state());
      expect(state.dataset).toBe(`maracoos-${name}`);
      expect(state.renders).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    }, 120_000);
  });

  it("reports every exit of a container with its last log lines, and stops a crash loop instead of restarting it forever", async () => {
    const viewer = "viewer-viewer";
    const viewerDeaths = () => deaths.filter((d) => d.container === viewer);
    const earlier = viewerDeaths().length;
    // Running, stopped (between an exit and its restart) or gone (its pod taken down).
    const state = async (): Promise<"running" | "stopped" | "gone"> => {
      try {
        const [inspected] = JSON.parse((await run("podman", ["inspect", viewer])).stdout) as { State: { Running: boolean } }[];
        return inspected?.State.Running ? "running" : "stopped";
      } catch {
        return "gone";
      }
    };
    // Kill it whenever it runs until the runtime gives up. Not a fixed count of kills: an exit the
    // suite did not cause (seen under CI load) counts towards the limit as it would in a kubelet.
    let kills = 0;
    for (;;) {
      const now = await until(`the viewer running again or its pod removed (after ${kills} kills)`, async () => {
        const s = await state();
        return s === "stopped" ? undefined : s;
      });
      if (now === "gone") break;
      expect(kills, `still restarted after ${kills} kills: ${JSON.stringify(viewerDeaths())}`).toBeLessThan(crashLimit);
      const seen = viewerDeaths().length;
      await run("podman", ["kill", viewer]).catch(() => undefined); // it may have exited by itself meanwhile
      kills++;
      await until(`the exit after kill ${kills} reported`, async () => viewerDeaths().length > seen || undefined);
    }
    // Its removal stops the container once more: that exit is not reported again.
    await new Promise((r) => setTimeout(r, 2000));
    // Reports arrive when their log lines have been read, not in the order of the exits: order them by
    // the count of exits in the window each carries. Exits before this test (under CI load) count too.
    const reports = viewerDeaths().slice().sort((a, b) => a.deaths - b.deaths);
    const described = JSON.stringify(reports.map(({ lastLines: _, ...r }) => r));
    expect(reports.length - earlier, described).toBeGreaterThanOrEqual(kills);
    expect(reports.filter((r) => !r.restarting).map((r) => r.deaths), described).toEqual([crashLimit]);
    expect(reports.every((r) => r.restarting === r.deaths < crashLimit), described).toBe(true);
    expect(reports.some((r) => r.lastLines.includes("viewer listening on")), described).toBe(true);
  }, 300_000);
});
