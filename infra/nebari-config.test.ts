import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStackConfig } from "./config.js";
import { checkNebariDocument, nebariConfigYaml, nebariDocument } from "./nebari-config.js";
import { currentContext, nebariScript } from "./nebari.js";
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
const inputs = { cfg, kubeContext: "aws", stateBucket: "state-bucket" };

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
