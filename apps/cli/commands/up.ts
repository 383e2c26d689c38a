// `dmac up` (what `npm start` runs): the whole platform on this machine, no cluster, no Docker,
// no cloud. Shows a progress bar per IngestJob and prints where everything is; Ctrl-C stops it
// cleanly and the next start resumes from the same data directory.
import type { Command } from "commander";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import type { LocalPlatform } from "../../local-platform/index.js";
import type { IngestJob } from "../../../crds/index.js";

interface Options {
  dataDir: string;
  portBase: string;
  runtime: string;
  bus: string;
  exitWhenDone?: boolean;
}

/** What the progress loop needs of either runtime. */
type RunningPlatform = Pick<LocalPlatform, "controlPlane" | "kubeconfigPath" | "kubeConfig" | "catalogApiUrl" | "dataApiUrl" | "viewerUrl" | "applied" | "paths" | "stop"> & Partial<Pick<LocalPlatform, "memory">>;

/** The checkout this program runs from (source or compiled under dist/): where clusters/ and samples/ are. */
function findRepoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "clusters", "local")) && existsSync(join(dir, "samples", "data"))) return dir;
  }
  throw new Error(`cannot find the repository (clusters/local and samples/data) above ${start}`);
}

async function listJobs(platform: RunningPlatform): Promise<IngestJob[]> {
  const { KubernetesObjectApi } = await import("@kubernetes/client-node");
  const list = await KubernetesObjectApi.makeApiClient(platform.kubeConfig).list("dmac.ioos.us/v1alpha1", "IngestJob");
  return list.items as unknown as IngestJob[];
}

const settled = (job: IngestJob) => job.status?.observedGeneration === job.metadata.generation && (job.status?.phase === "Succeeded" || job.status?.phase === "Failed" || job.status?.phase === "Suspended");

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("Run the whole platform locally: embedded control plane, operators, local executor, file storage, catalog and APIs")
    .option("--data-dir <dir>", "where the platform keeps its state", ".dmac")
    .option("--port-base <n>", "control plane on N, STAC API on N+1, EDR data API on N+2, operator metrics on N+3, viewer on N+4 (0 = free ports)", "6443")
    .option("--runtime <runtime>", "in-process: everything in this process (fast, no containers); podman: the rendered clusters/local as containers from the built images (the production rehearsal; docs/operations.md)", "in-process")
    .option("--exit-when-done", "stop once every IngestJob has finished (for scripts and CI)")
    .option("--bus <kind>", "inprocess (default), or rabbitmq: a private RabbitMQ carries the platform's events and a local NODD bucket announces new objects to the event bridge (in-process runtime; docs/events.md)", "inprocess")
    .action(async (options: Options) => {
      const [{ startLocalPlatform }, { datasets, ResourceClient }, { createLogger, shutdownSignal }] = await Promise.all([
        import("../../local-platform/index.js"),
        import("../../../operators/client.js"),
        import("../../../operators/runtime/index.js"),
      ]);
      if (options.runtime !== "in-process" && options.runtime !== "podman") program.error(`error: --runtime must be in-process or podman, got "${options.runtime}"`);
      if (options.bus !== "inprocess" && options.bus !== "rabbitmq") program.error(`error: --bus must be inprocess or rabbitmq, got "${options.bus}"`);
      if (options.bus === "rabbitmq" && options.runtime !== "in-process") program.error("error: --bus rabbitmq runs with the in-process runtime (the local tree's bus is in process)");
      const portBase = Number(options.portBase);
      if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65530) program.error(`error: --port-base must be 0-65530, got "${options.portBase}"`);
      const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
      const dataDir = resolve(options.dataDir);
      mkdirSync(dataDir, { recursive: true });
      // Operator logs go to a file: the terminal shows progress bars and a summary.
      const logFile = join(dataDir, "platform.log");
      const log = createLogger("dmac-local", process.env.DMAC_LOG_LEVEL ?? "info", createWriteStream(logFile, { flags: "a" }) as unknown as Writable);
      const tty = Boolean(process.stdout.isTTY);
      const bars = tty ? new MultiBar({ format: " {job} |{bar}| {value}/{total} files {phase}", hideCursor: true, clearOnComplete: false }, Presets.shades_classic) : undefined;
      console.log(`starting the local platform in ${dataDir} (logs: ${logFile})`);
      const onApplyStep = (name: string, objects: number) => { if (!tty) console.log(`applied ${name}: ${objects} objects`); };
      let platform: RunningPlatform;
      if (options.runtime === "podman") {
        const { startPodmanPlatform } = await import("../../local-platform/podman/runtime.js");
        // The pods' ports are the rendered ones (clusters/environments.ts); only the API server's is ours to choose.
        platform = await startPodmanPlatform({
          dataDir, apiServerPort: portBase, repoRoot, log, onApplyStep,
          onContainerDied: (report) => {
            const what = report.restarting ? `restarting (${report.deaths} exits in 5 min)` : `stopped after ${report.deaths} exits in 5 min (crash loop)`;
            console.error(`\ncontainer ${report.container} exited with code ${report.exitCode ?? "?"}; ${what}. Last lines:\n${report.lastLines.replace(/^/gm, "  | ")}`);
          },
        });
      } else platform = await startLocalPlatform({ dataDir, portBase, repoRoot, log, onApplyStep, bus: options.bus === "rabbitmq" ? "rabbitmq" : "inprocess" });
      const events = "events" in platform ? (platform as { events?: LocalPlatform["events"] }).events : undefined;
      console.log(`control plane  ${platform.controlPlane.url}   kubeconfig: ${platform.kubeconfigPath}`);
      console.log(`  kubectl --kubeconfig ${platform.kubeconfigPath} get dmac -A`);
      console.log(`STAC API       ${platform.catalogApiUrl}`);
      console.log(`EDR data API   ${platform.dataApiUrl}   (datasets appear as their first data lands)`);
      console.log(`viewer         ${platform.viewerUrl}/   (open in a browser: maps and time series of every dataset)`);
      if (events) {
        console.log(`RabbitMQ       ${events.amqpUrl.replace(/\/\/[^@]*@/, "//")}   (platform events, topic exchange dmac.events)`);
        console.log(`NODD bucket    s3://${events.nodd.bucket} at ${events.nodd.endpoint}   (a put is announced to the event bridge; IngestJob source.endpoint)`);
      }
      console.log(`applied clusters/local: ${platform.applied.applied} objects from ${platform.applied.files} files (not run locally: ${platform.applied.skippedCharts.join(", ") || "none"})`);
      if (platform.memory) {
        // `kill -USR2 <pid>` writes where the memory goes to <data dir>/memory.json (bench/platform/breakdown.mjs).
        const memory = platform.memory.bind(platform);
        process.on("SIGUSR2", () => {
          void memory().then((report) => {
            writeFileSync(`${join(dataDir, "memory.json")}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
            renameSync(`${join(dataDir, "memory.json")}.tmp`, join(dataDir, "memory.json"));
          }, (err: unknown) => log.error({ err }, "memory report failed"));
        });
      }
      const barFor = new Map<string, SingleBar>();
      const signal = shutdownSignal();
      let summarised = false;
      for (;;) {
        if (signal.aborted) break;
        const jobs = await listJobs(platform).catch(() => []);
        for (const job of jobs) {
          const key = `${job.metadata.namespace}/${job.metadata.name}`;
          const items = job.status?.items;
          const done = (items?.succeeded ?? 0) + (items?.failed ?? 0);
          const payload = { job: key.padEnd(26), phase: job.status?.phase ?? "Pending" };
          if (bars) {
            const bar = barFor.get(key) ?? bars.create(items?.total ?? 0, done, payload);
            barFor.set(key, bar);
            bar.setTotal(items?.total ?? 0);
            bar.update(done, payload);
          }
        }
        if (!summarised && jobs.length > 0 && jobs.every(settled)) {
          summarised = true;
          bars?.stop();
          const sets = new ResourceClient(platform.kubeConfig, datasets);
          console.log("\ningest finished:");
          for (const job of jobs) {
            const items = job.status?.items;
            console.log(`  ${job.metadata.namespace}/${job.metadata.name}: ${job.status?.phase}, ${items?.succeeded ?? 0} of ${items?.total ?? 0} files ingested, ${items?.failed ?? 0} failed`);
            for (const failure of job.status?.recentFailures ?? []) console.log(`    failed: ${failure.url}: ${failure.message}`);
            const dataset = await sets.get(job.metadata.namespace ?? "default", job.spec.datasetRef.name);
            if (dataset) console.log(`    Zarr store: ${join(platform.paths.stores, new URL(dataset.spec.storage.url).pathname)} (${dataset.status?.timeSteps ?? 0} time steps, Ready=${dataset.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown"})`);
          }
          console.log(`catalog: ${platform.catalogApiUrl}/collections   (${options.runtime === "podman" ? "PostgreSQL" : "embedded PGlite"} in ${platform.paths.catalog})`);
          console.log(`data:    ${platform.dataApiUrl}/collections   (OGC API EDR; Zarr passthrough under /datasets/<id>/zarr/)`);
          console.log(`viewer:  ${platform.viewerUrl}/`);
          console.log(`open a store in Python: xarray.open_zarr("<store path>", consolidated=True)`);
          if (options.exitWhenDone) break;
          console.log("running; Ctrl-C to stop (the next start resumes)");
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      bars?.stop();
      console.log("stopping...");
      await platform.stop();
      console.log("stopped");
    });
}
