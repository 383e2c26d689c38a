// Snapshots of the charts rendered with Pulumi stack outputs present (the committed tree has none
// yet, so these are the only place reviewers see the IRSA and endpoint wiring). Update with
// `npx vitest run test/charts/snapshot.test.ts -u` and review the diff.
import { describe, expect, it } from "vitest";
import { environment } from "../../clusters/environments.js";
import { componentDefinitions, domainsFor, renderEnvironment } from "../../clusters/render.js";
import { sampleDomains } from "../../crds/samples.js";
import { fixtureOutputs as outputs, parseFiles } from "./rendered.js";

const prod = environment("prod");
const domains = domainsFor(prod, sampleDomains("prod"));
const withOutputs = renderEnvironment({ env: prod, outputs, domains });
const without = renderEnvironment({ env: prod, outputs: undefined, domains });

describe("prod with stack outputs", () => {
  // The CRDs are owned by crds/api and checked by synth --check; snapshots cover the workload charts.
  it.each(componentDefinitions.map((c) => c.name).filter((n) => n !== "crds"))("component %s matches its snapshot", async (name) => {
    const file = withOutputs.find((f) => f.path === `clusters/prod/components/${name}/manifests.yaml`);
    expect(file).toBeDefined();
    await expect(file!.text).toMatchFileSnapshot(`./__snapshots__/prod-with-outputs/${name}.yaml`);
  });

  it("annotates each platform service account with its IAM role", () => {
    const accounts = parseFiles(withOutputs).map((o) => o.obj).filter((o) => o.kind === "ServiceAccount");
    const arns = Object.fromEntries(accounts.map((a) => [a.metadata.name, a.metadata.annotations?.["eks.amazonaws.com/role-arn"]]));
    expect(arns).toEqual({
      "dmac-operator": outputs.roleArns.operator,
      "catalog-api": outputs.roleArns.catalogApi,
      "data-api": outputs.roleArns.dataApi,
      "event-bridge": outputs.roleArns.eventBridge,
      // The viewer calls no cloud service: a service account without a role.
      viewer: undefined,
    });
    expect(Object.keys(arns).sort()).toEqual(["catalog-api", "data-api", "dmac-operator", "event-bridge", "viewer"]);
  });

  it("passes the region, the database endpoint and its Secrets Manager secret, and nothing no code reads", () => {
    const text = withOutputs.filter((f) => f.path.includes("/components/")).map((f) => f.text).join("\n");
    for (const value of [outputs.region, outputs.catalogDatabase.endpoint, outputs.catalogDatabase.secretArn]) expect(text).toContain(value);
    // Stores name their bucket in each Dataset; the queues are the event bridge's alone.
    expect(text).not.toContain(outputs.dataBucket);
    const bridge = withOutputs.find((f) => f.path.endsWith("/components/event-bridge/manifests.yaml"))!.text;
    for (const value of [outputs.queueUrls.ofs, outputs.queueUrls.rtofs]) {
      expect(bridge).toContain(`--queue=`);
      expect(bridge).toContain(value);
      expect(text.split(value).length - 1, `${value} only in the event bridge's args`).toBe(1);
    }
    // No backing Services or data volume: RDS and S3 through IRSA. The one Secret is the RabbitMQ login.
    for (const value of ["catalog-db", "object-store", "persistentVolumeClaim"]) expect(text).not.toContain(value);
    expect([...new Set([...text.matchAll(/secretKeyRef:\s+key: \w+\s+name: ([\w-]+)/g)].map((m) => m[1]))]).toEqual(["rabbitmq-credentials"]);
  });

  it("renders without any cloud identifier when the environment has no outputs", () => {
    const text = without.map((f) => f.text).join("\n");
    expect(text).not.toContain("eks.amazonaws.com/role-arn");
    expect(text).not.toContain("AWS_REGION");
    // Only the workload files and the platform's backing Services differ; ArgoCD wiring and domains do not depend on cloud outputs.
    const changed = withOutputs.filter((f) => without.find((g) => g.path === f.path)?.text !== f.text).map((f) => f.path);
    expect(changed.sort()).toEqual(["catalog-api", "data-api", "event-bridge", "operator", "platform"].map((n) => `clusters/prod/components/${n}/manifests.yaml`));
  });
});
