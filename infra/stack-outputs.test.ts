import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { toStackOutputs } from "./stack-outputs.js";
import { infraDir } from "./test/harness.js";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "dmac-infra-outputs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// What `pulumi stack output --json` prints for a stack: the contract plus extras that must not reach Git.
const pulumiOutput = {
  region: "us-east-1",
  dataBucket: "dmac-dev-data-1a2b3c",
  queueUrls: { ofs: "https://sqs.us-east-1.amazonaws.com/111122223333/dmac-dev-ofs-9f", rtofs: "https://sqs.us-east-1.amazonaws.com/111122223333/dmac-dev-rtofs-8e" },
  roleArns: {
    operator: "arn:aws:iam::111122223333:role/dmac-dev-dmac-operator-1",
    eventBridge: "arn:aws:iam::111122223333:role/dmac-dev-event-bridge-2",
    dataApi: "arn:aws:iam::111122223333:role/dmac-dev-data-api-3",
    catalogApi: "arn:aws:iam::111122223333:role/dmac-dev-catalog-api-4",
  },
  catalogDatabase: { endpoint: "dmac-dev-catalog.abc.us-east-1.rds.amazonaws.com:5432", secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!db-1" },
  kubeconfig: "{\"apiVersion\":\"v1\"}",
  clusterName: "dmac-dev",
};

describe("toStackOutputs", () => {
  it("keeps exactly the contract fields", () => {
    const out = toStackOutputs(pulumiOutput, "test");
    expect(Object.keys(out).sort()).toEqual(["catalogDatabase", "dataBucket", "queueUrls", "region", "roleArns"]);
    expect(out.roleArns.catalogApi).toBe(pulumiOutput.roleArns.catalogApi);
  });

  it.each([
    [{ ...pulumiOutput, dataBucket: "" }, "output dataBucket"],
    [{ ...pulumiOutput, queueUrls: { ofs: "http://evil/q", rtofs: pulumiOutput.queueUrls.rtofs } }, "output queueUrls.ofs"],
    [{ ...pulumiOutput, roleArns: { ...pulumiOutput.roleArns, dataApi: "arn:aws:s3:::x" } }, "output roleArns.dataApi"],
    [{ ...pulumiOutput, catalogDatabase: { ...pulumiOutput.catalogDatabase, endpoint: "no-port" } }, "output catalogDatabase.endpoint"],
    [{ region: "us-east-1" }, "output dataBucket"],
  ])("rejects a malformed output naming it (%#)", (raw, message) => {
    expect(() => toStackOutputs(raw, "src")).toThrow(message);
  });
});

describe("npm run infra:outputs", () => {
  const script = join(infraDir, "scripts", "infra-outputs.ts");
  const tsx = join(infraDir, "..", "node_modules", ".bin", "tsx");

  it("writes the contract file from saved pulumi output", async () => {
    const from = join(tmp, "pulumi.json");
    const out = join(tmp, "dev.outputs.json");
    writeFileSync(from, JSON.stringify(pulumiOutput));
    const { stdout } = await run(tsx, [script, "dev", "--from", from, "--out", out]);
    expect(stdout).toContain(out);
    const written = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    expect(written).toEqual(toStackOutputs(pulumiOutput, "x"));
    expect(written.kubeconfig).toBeUndefined();
  });

  it("refuses an unknown environment and bad input without writing", async () => {
    const out = join(tmp, "nope.json");
    await expect(run(tsx, [script, "staging", "--from", "/dev/null", "--out", out])).rejects.toMatchObject({ stderr: expect.stringContaining("no stack file infra/Pulumi.staging.yaml") });
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, "{not json");
    await expect(run(tsx, [script, "dev", "--from", bad, "--out", out])).rejects.toMatchObject({ stderr: expect.stringContaining("not JSON") });
    expect(() => readFileSync(out)).toThrow();
  });
});
