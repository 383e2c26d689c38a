import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStackConfig } from "./config.js";
import { checkNebariDocument, nebariConfigYaml, nebariDocument } from "./nebari-config.js";
import { currentContext, nebariScript } from "./nebari.js";
import { checkEnvironment, environmentFile, loadEnvironment, nebariEnvironmentKey, packageNames } from "./nebari-environment.js";
import { daskWorkerTaint, nodeGroupSpecs, nodeRoleLabel } from "./nodegroups.js";

const cfg = parseStackConfig(
  {
    nebari: {
      enabled: true,
      projectName: "dmac-test",
      domain: "jupyter.test.dmac.ioos.us",
      authentication: "GitHub",
      githubClientId: "Iv1.abc",
      acmeEmail: "ops@ioos.us",
      daskWorkerProfiles: [{ name: "Tiny", cores: 0.5, memoryGb: 2 }],
    },
  },
  "test",
  "us-east-1",
);
const inputs = { cfg, kubeContext: "aws", stateBucket: "state-bucket", environment: loadEnvironment() };

describe("nebari-config.yaml", () => {
  it("targets our cluster's node groups and lets Dask workers onto the tainted spot nodes", () => {
    const doc = parse(nebariConfigYaml(inputs)) as Record<string, any>;
    expect(doc.provider).toBe("existing");
    expect(doc.existing.kube_context).toBe("aws");
    const labels = Object.fromEntries(nodeGroupSpecs(cfg).map((s) => [s.name, s.labels[nodeRoleLabel]]));
    expect(doc.existing.node_selectors).toEqual({
      general: { key: nodeRoleLabel, value: labels.system },
      user: { key: nodeRoleLabel, value: labels.system },
      worker: { key: nodeRoleLabel, value: labels["dask-workers"] },
    });
    const tiny = doc.profiles.dask_worker.Tiny;
    expect(tiny).toMatchObject({ worker_cores_limit: 0.5, worker_cores: 0.5, worker_memory_limit: "2G", worker_memory: "1.7G", worker_threads: 1 });
    expect(tiny.worker_extra_pod_config.tolerations).toEqual([{ key: daskWorkerTaint.key, operator: "Equal", value: daskWorkerTaint.value, effect: "NoSchedule" }]);
  });

  it("keeps secrets out: GitHub auth carries the client id only", () => {
    const text = nebariConfigYaml(inputs);
    const doc = parse(text) as Record<string, any>;
    expect(doc.security.authentication).toEqual({ type: "GitHub", config: { client_id: "Iv1.abc" } });
    expect(text).not.toMatch(/secret|password:/i);
    expect(doc.terraform_state).toMatchObject({ type: "existing", backend: "s3", config: { bucket: "state-bucket", region: "us-east-1" } });
    expect(doc.certificate).toEqual({ type: "lets-encrypt", acme_email: "ops@ioos.us" });
  });

  it("reports every broken schema rule", () => {
    const doc = { ...nebariDocument(inputs), project_name: "9bad", namespace: "has space", domain: "nope", certificate: { type: "lets-encrypt" } };
    const problems = checkNebariDocument(doc);
    expect(problems.some((p) => p.startsWith("project_name"))).toBe(true);
    expect(problems.some((p) => p.startsWith("namespace"))).toBe(true);
    expect(problems.some((p) => p.startsWith("domain"))).toBe(true);
    expect(problems.some((p) => p.includes("acme_email"))).toBe(true);
    const noWorker = { ...nebariDocument(inputs), existing: { node_selectors: { general: { key: "a", value: "b" } } }, profiles: { dask_worker: { x: { worker_cores: 2, worker_cores_limit: 1, worker_memory: "lots", worker_memory_limit: "4G" } } } };
    const more = checkNebariDocument(noWorker);
    expect(more).toContain("existing.node_selectors.user needs key and value");
    expect(more).toContain("existing.node_selectors.worker needs key and value");
    expect(more).toContain("profiles.dask_worker.x.worker_memory must be a quantity like 4G");
    expect(more).toContain("profiles.dask_worker.x: worker_cores above worker_cores_limit");
    expect(checkNebariDocument(nebariDocument(inputs))).toEqual([]);
  });
});

describe("nebari command", () => {
  it("deploys and destroys with the generated file, non-interactively", () => {
    expect(nebariScript("deploy")).toMatch(/nebari deploy -c nebari-config.yaml --disable-prompt$/);
    expect(nebariScript("destroy")).toMatch(/nebari destroy -c nebari-config.yaml --disable-prompt$/);
    expect(nebariScript("deploy")).toContain("umask 077");
  });

  it("reads the kubeconfig's current context", () => {
    expect(currentContext(JSON.stringify({ "current-context": "aws" }))).toBe("aws");
    expect(() => currentContext("{}")).toThrow(/current-context/);
  });
});

describe("the users' conda environment (notebooks/environment.yml)", () => {
  it("pins every package to one version and offers what the notebooks use", () => {
    const env = loadEnvironment();
    expect(checkEnvironment(env)).toEqual([]);
    for (const d of env.dependencies) expect(d, d).toMatch(/^[\w.-]+==?\d[\w.+-]*$/);
    expect(packageNames(env)).toEqual(expect.arrayContaining(["python", "xarray", "zarr", "dask", "distributed", "dask-gateway", "fsspec", "s3fs", "pystac-client", "matplotlib-base", "cmocean", "kerchunk", "requests", "aiohttp", "ipykernel"]));
  });

  it("is the environment nebari-config.yaml offers, and the users' pods run as the read-only service account with the notebooks mounted", () => {
    const doc = parse(nebariConfigYaml(inputs)) as Record<string, any>;
    const env = loadEnvironment();
    expect(doc.environments).toEqual({ [nebariEnvironmentKey]: { name: env.name, channels: env.channels, dependencies: env.dependencies } });
    expect(doc.profiles.jupyterlab.map((p: { display_name: string }) => p.display_name)).toEqual(["DMAC small", "DMAC medium"]);
    expect(doc.profiles.jupyterlab[0].kubespawner_override).toMatchObject({ service_account: "dmac-nebari-user", cpu_limit: 2, mem_limit: "8G" });
    expect(doc.profiles.dask_worker.Tiny.worker_extra_pod_config.serviceAccountName).toBe("dmac-nebari-user");
  });

  it("refuses an unpinned, ranged or pip dependency, naming it", () => {
    const base = { name: "dmac", channels: ["conda-forge"] };
    expect(checkEnvironment({ ...base, dependencies: ["xarray"] }, "env")).toEqual(['env.dependencies[0] "xarray" is not pinned to one version (name=version)']);
    expect(checkEnvironment({ ...base, dependencies: ["xarray>=2024.1"] }, "env")).toEqual(['env.dependencies[0] "xarray>=2024.1" is not pinned to one version (name=version)']);
    expect(checkEnvironment({ ...base, dependencies: ["zarr=2.*"] }, "env")).toHaveLength(1);
    expect(checkEnvironment({ ...base, dependencies: [{ pip: ["x==1"] }] }, "env")[0]).toMatch(/dependencies\[0\] must be a package spec/);
    const broken = { ...inputs, environment: { ...base, dependencies: ["dask"] } };
    expect(() => nebariConfigYaml(broken)).toThrow(/environments\.environment-dmac\.yaml\.dependencies\[0\] "dask" is not pinned/);
    expect(environmentFile).toMatch(/notebooks\/environment\.yml$/);
  });
});
