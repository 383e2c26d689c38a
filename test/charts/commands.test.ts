// What each rendered container of ours runs is a real `dmac` command line: its args parse with the
// program of apps/cli/main.ts (actions replaced, nothing runs), every environment variable it is
// given is one that code reads, and what those variables and args name (Secrets, Services, the data
// volume, ports) is coherent with the rest of the environment. Covers the committed tree (every
// environment) and prod rendered with stack outputs (the cloud wiring).
import { type Command, CommanderError } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../apps/cli/main.js";
import { environment } from "../../clusters/environments.js";
import { backingSecrets, backingServiceNames } from "../../clusters/lib/backing.js";
import { rabbitmqCredentialsSecret } from "../../clusters/lib/bus.js";
import { noddQueuesSecret } from "../../apps/event-bridge/chart.js";
import { domainsFor, renderEnvironment } from "../../clusters/render.js";
import { sampleDomains } from "../../crds/samples.js";
import { envNames, envOf, fixtureOutputs, parseFiles, podSpecs, rendered, type RenderedObject } from "./rendered.js";

/** Each image of ours runs `dmac` (bin/dmac.js) as its entrypoint: args are dmac's. */
const ourImage = /^ghcr\.io\/ioos\/dmac-(?!ingest-worker)[a-z-]+[:@]/;

/**
 * Variables code of ours reads (grep `process.env` / `env.` in apps, catalog, operators, dataplane),
 * and those read by what runs it: Node itself, glibc's malloc (MALLOC_*: the data API's, cache-budget.ts),
 * node-postgres (PG*), the AWS SDK's default chain and endpoint resolution (AWS_*).
 */
const readByCode = new Set(["DMAC_NAMESPACE", "DMAC_CATALOG_DB_SECRET_ARN", "POD_NAME", "AWS_REGION", "AWS_ENDPOINT_URL_S3", "DMAC_AMQP_USERNAME", "DMAC_AMQP_PASSWORD", "DMAC_NODD_QUEUES"]);
const readByRuntime = new Set(["NODE_OPTIONS", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "PGUSER", "PGPASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
/** Rendered once and read by nothing; they must not come back. */
const knownDead = ["DMAC_ENVIRONMENT", "DMAC_DATA_BUCKET", "DMAC_RABBITMQ_URL", "DMAC_QUEUE_URL_OFS", "DMAC_QUEUE_URL_RTOFS"];

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[];
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** Parses a dmac command line with every action replaced by a recorder; throws CommanderError on a bad one. */
async function parseDmac(args: readonly string[]): Promise<{ path: string; options: Record<string, unknown> }> {
  const program = buildProgram();
  let ran: { path: string; options: Record<string, unknown> } | undefined;
  const silence = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    if (cmd.commands.length === 0) {
      cmd.action((options: Record<string, unknown>, self: Command) => {
        const names: string[] = [];
        for (let c: Command | null = self; c && c !== program; c = c.parent) names.unshift(c.name());
        ran = { path: names.join(" "), options };
      });
    }
    for (const sub of cmd.commands) silence(sub);
  };
  silence(program);
  await program.parseAsync([...args], { from: "user" });
  if (!ran) throw new Error(`dmac ${args.join(" ")}: reached no command`);
  return ran;
}

function ourContainers(objects: readonly RenderedObject[]): { where: string; path: string; container: Container }[] {
  return podSpecs(objects).flatMap((p) =>
    (p.spec.containers as unknown as Container[]).filter((c) => ourImage.test(c.image)).map((container) => ({ where: `${p.path} ${p.name}/${container.name}`, path: p.path, container })),
  );
}

const committed = rendered().objects;
const prod = environment("prod");
const cloud = parseFiles(renderEnvironment({ env: prod, outputs: fixtureOutputs, domains: domainsFor(prod, sampleDomains("prod", fixtureOutputs.dataBucket)) }));
const cases = [...ourContainers(committed), ...ourContainers(cloud).map((c) => ({ ...c, where: `${c.where} (with stack outputs)` }))];

/** The TypeScript sources of the programs the images run. */
function sourceText(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) files.push(join(dir, e.name));
    }
  };
  for (const dir of ["apps", "catalog", "operators", "dataplane"]) walk(dir);
  return files.map((f) => readFileSync(f, "utf8")).join("\n");
}

describe("the lists of variables read", () => {
  it("name only variables the sources read (process.env.X or env.X)", () => {
    const text = sourceText();
    const reads = (name: string) => new RegExp(`\\benv(?:\\.${name}\\b|\\["${name}"\\])`).test(text);
    expect([...readByCode].filter((name) => !reads(name))).toEqual([]);
    expect(knownDead.filter(reads)).toEqual([]);
  });
});

describe("the parser itself", () => {
  it("accepts a good line and rejects an unknown command, an unknown flag and a bad value", async () => {
    expect((await parseDmac(["serve", "catalog-api", "--port=1"])).path).toBe("serve catalog-api");
    await expect(parseDmac(["no-such-command", "--port=8080"])).rejects.toBeInstanceOf(CommanderError);
    await expect(parseDmac(["operator", "--no-such-flag"])).rejects.toThrow(/unknown option/);
    await expect(parseDmac(["serve", "viewer", "--port=http"])).rejects.toThrow(/--port/);
  });
});

describe("every container of ours", () => {
  it("is found in each environment (operator, catalog API, data API, viewer, event bridge)", () => {
    for (const env of envNames) expect(cases.filter((c) => envOf(c.path) === env && !c.where.endsWith("(with stack outputs)")).length, env).toBe(5);
    expect(cases.filter((c) => c.where.endsWith("(with stack outputs)")).length).toBe(5);
  });

  it.each(cases.map((c) => [c.where, c] as const))("%s: runs the image's dmac with args that parse", async (_where, { container }) => {
    expect(container.command, "the image's entrypoint runs dmac; the chart sets args only").toBeUndefined();
    const args = container.args ?? [];
    const top = buildProgram().commands.map((c) => c.name());
    expect(top, `first arg ${args[0]}`).toContain(args[0]);
    const { path, options } = await parseDmac(args);
    expect(path.split(" ")[0]).toBe(args[0]);
    // A port option is the container's port, and the probes' (no translation anywhere).
    const port = Number(options.port ?? options.probePort);
    expect(container.ports?.map((p) => p.containerPort)).toEqual([port]);
  });

  it.each(cases.map((c) => [c.where, c] as const))("%s: gets only environment variables some code reads", (_where, { container }) => {
    const names = (container.env ?? []).map((e) => e.name);
    for (const name of names) expect(readByCode.has(name) || readByRuntime.has(name), `${name} is read by nothing`).toBe(true);
    for (const dead of knownDead) expect(names).not.toContain(dead);
  });
});

describe("the operator", () => {
  it.each(cases.filter((c) => c.container.name === "dmac-operator").map((c) => [c.where, c] as const))(
    "%s: is given its catalog (PostgreSQL, not a directory on a read-only root) and the STAC API's URL",
    async (_where, { container }) => {
      const { options } = await parseDmac(container.args ?? []);
      expect(String(options.catalog)).toMatch(/^postgres:\/\/[^@/]+\/catalog$/);
      expect(String(options.catalogApiUrl)).toMatch(/^https:\/\/stac\./);
    },
  );
});

describe("references out of the rendered tree", () => {
  for (const env of envNames) {
    const inEnv = committed.filter((o) => envOf(o.path) === env).map((o) => o.obj);
    const ours = cases.filter((c) => envOf(c.path) === env && !c.where.endsWith("(with stack outputs)"));

    it(`${env}: Secrets are referenced by the agreed names and keys, and never rendered`, () => {
      const refs = ours.flatMap((c) => (c.container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : [])));
      const agreed = [
        `${backingSecrets.catalogDb.name}/${backingSecrets.catalogDb.usernameKey}`,
        `${backingSecrets.catalogDb.name}/${backingSecrets.catalogDb.passwordKey}`,
        `${backingSecrets.objectStore.name}/${backingSecrets.objectStore.accessKeyIdKey}`,
        `${backingSecrets.objectStore.name}/${backingSecrets.objectStore.secretAccessKeyKey}`,
        // Where the bus is RabbitMQ, its login; and the bridge's queues without a stack (docs/events.md).
        ...(environment(env).bus === "rabbitmq" ? [`${rabbitmqCredentialsSecret}/username`, `${rabbitmqCredentialsSecret}/password`] : []),
        `${noddQueuesSecret}/queues`,
      ];
      expect([...new Set(refs)].sort()).toEqual(agreed.sort());
      expect(inEnv.filter((o) => o.kind === "Secret")).toEqual([]);
    });

    it(`${env}: URLs name Services of the environment on their own ports`, () => {
      const urls = ours.flatMap((c) => [...(c.container.args ?? []), ...(c.container.env ?? []).map((e) => e.value ?? "")]).flatMap((s) => s.match(/[a-z]+:\/\/[a-z0-9-]+\.dmac-system\.svc\.cluster\.local:\d+/g) ?? []);
      expect(urls.length).toBeGreaterThan(0);
      for (const raw of urls) {
        const url = new URL(raw);
        const name = url.hostname.split(".")[0];
        const service = inEnv.find((o) => o.kind === "Service" && o.metadata.name === name && o.metadata.namespace === "dmac-system");
        expect(service, raw).toBeDefined();
        expect((service!.spec as { ports: { port: number; targetPort: number }[] }).ports.map((p) => [p.port, p.targetPort]), raw).toContainEqual([Number(url.port), Number(url.port)]);
      }
      for (const name of Object.values(backingServiceNames)) {
        const service = inEnv.find((o) => o.kind === "Service" && o.metadata.name === name);
        expect((service?.spec as { selector?: unknown } | undefined)?.selector, `${name} has no selector: its endpoints are outside the cluster`).toBeUndefined();
      }
    });

    it(`${env}: mounts the data volume rw in the operator and ro in the data API, where the environment has one`, () => {
      const claim = environment(env).dataVolume?.claimName;
      const mounts = Object.fromEntries(ours.map((c) => [c.container.name, (c.container.volumeMounts ?? []).filter((m) => m.mountPath === "/data")]));
      if (claim === undefined) {
        expect(Object.values(mounts).flat()).toEqual([]);
        return;
      }
      expect(inEnv.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === claim)?.spec).toMatchObject({ accessModes: ["ReadWriteMany"] });
      expect(mounts["dmac-operator"]).toEqual([{ name: claim, mountPath: "/data", readOnly: false }]);
      expect(mounts["data-api"]).toEqual([{ name: claim, mountPath: "/data", readOnly: true }]);
      expect(mounts["catalog-api"]).toEqual([]);
      expect(mounts.viewer).toEqual([]);
    });
  }

  it("local: every port a container or backing Service listens on is distinct (pods share the host's network)", () => {
    const inLocal = committed.filter((o) => envOf(o.path) === "local").map((o) => o.obj);
    const ports = inLocal.filter((o) => o.kind === "Service" && o.metadata.namespace === "dmac-system").flatMap((s) => (s.spec as { ports: { port: number }[] }).ports.map((p) => p.port));
    ports.push(...cases.filter((c) => envOf(c.path) === "local" && c.container.name === "dmac-operator").flatMap((c) => (c.container.ports ?? []).map((p) => p.containerPort)));
    expect(ports.length).toBe(6);
    expect(new Set(ports).size).toBe(ports.length);
  });
});
