// Remote sources and outputs: `dmac convert s3://... --references s3://... --qc` points the
// references at the s3:// URLs given (never at the temporary downloads), writes the document and
// the QC reports to S3, and the document equals the one built from the same files on disk
// (which references.test.ts compares with xarray) but for the URLs.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReferences } from "../../dataplane/index.js";
import { cycleAt, romsFile, romsKey, tempDir, type CycleFile } from "./fixtures.js";
import { s3TestEnv, useS3TestServer } from "../support/s3-env.js";

const tmp = tempDir("dmac-refs-s3-");
const bin = fileURLToPath(new URL("../../bin/dmac.js", import.meta.url));
const s3Server = useS3TestServer();
afterAll(() => tmp.cleanup());

function dmac(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DMAC_FROM_SOURCE: "1", ...s3TestEnv(s3Server().endpoint) };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env }, (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr }));
  });
}

describe("references to s3:// sources, written to s3://", () => {
  it("point at the given URLs, hold the same chunks as local references, and put QC reports beside them", async () => {
    const s3 = s3Server();
    const c00 = cycleAt("2023-10-22T00:00:00Z");
    const c01 = cycleAt("2023-10-22T01:00:00Z");
    const cycles: CycleFile[] = [{ cycle: c00, kind: "f", hour: 1 }, { cycle: c00, kind: "f", hour: 2 }, { cycle: c01, kind: "f", hour: 1 }, { cycle: c01, kind: "f", hour: 2 }];
    const local = cycles.map((f) => romsFile(join(tmp.path, "src"), f));
    const urls = cycles.map((f) => `s3://noaa-ofs-pds/${romsKey(f)}`);
    cycles.forEach((f, i) => s3.objects.set(`noaa-ofs-pds/${romsKey(f)}`, readFileSync(local[i] as string)));
    const qc = join(tmp.path, "qc.yaml");
    writeFileSync(qc, "onFailure: refuse\n");

    const r = await dmac(["convert", ...urls, "--references", "s3://ocean-refs/cbofs/best.json", "-a", "best-forecast", "--inline-threshold", "0", "--qc", qc]);
    // (The AWS SDK warns on stderr that Node 20 support ends; no error may appear.)
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 given, 3 referenced, 1 skipped, 0 refused");
    expect(r.stdout).toContain("qc:          4 checked");
    const doc = JSON.parse((s3.objects.get("ocean-refs/cbofs/best.json") as Buffer).toString("utf8")) as { refs: Record<string, unknown> };
    // Valid 02 h: 00z f002 (lead 2 h) loses to 01z f001 (lead 1 h).
    const chunk = doc.refs["zeta/1.0.0"] as [string, number, number];
    expect(chunk[0]).toBe(urls[2]);
    const object = s3.objects.get(`noaa-ofs-pds/${romsKey(cycles[2] as CycleFile)}`) as Buffer;
    expect(object.subarray(chunk[1], chunk[1] + chunk[2])).toEqual(readFileSync(local[2] as string).subarray(chunk[1], chunk[1] + chunk[2]));

    const onDisk = await buildReferences({ inputs: local.map((path) => ({ path })), aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
    let expected = JSON.stringify(onDisk.document);
    local.forEach((p, i) => (expected = expected.split(JSON.stringify(p)).join(JSON.stringify(urls[i]))));
    expect(doc).toEqual(JSON.parse(expected));

    const report = s3.objects.get(`ocean-refs/cbofs/best.json.qc/${romsKey(cycles[0] as CycleFile).split("/")[1]}.qc.json`);
    expect(JSON.parse((report as Buffer).toString("utf8"))).toMatchObject({ source: urls[0], decision: "accept" });
  });
});
