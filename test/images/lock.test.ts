// The image lock and the rendered tree: every Deployment and the Dask IngestJobs pin the lock's
// `repository:tag@sha256:digest`, and `synth --check` fails when the lock moves without a re-render.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { assertPinnedImage } from "../../clusters/lib/restricted-workload.js";
import { pinnedImage as pinnedImagePattern } from "../../crds/api/common.js";
import { imageApps, lockPath, parseLock, pinnedReference, readLock } from "../../images/lock.js";

const root = join(import.meta.dirname, "..", "..");
const lock = readLock();
const work = mkdtempSync(join(tmpdir(), "dmac-lock-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : name.endsWith(".yaml") ? [path] : [];
  });
}

/** Every `image:` value in the rendered tree of all environments. */
function renderedImages(): string[] {
  const images: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "image" && typeof v === "string") images.push(v);
        else visit(v);
      }
    }
  };
  for (const env of ["local", "dev", "prod"]) {
    for (const file of yamlFiles(join(root, "clusters", env))) {
      for (const doc of readFileSync(file, "utf8").split(/^---$/m)) visit(parse(doc));
    }
  }
  return images;
}

describe("images/images.lock.json", () => {
  it("is at images/images.lock.json and names every image", () => {
    expect(lockPath()).toBe(join(root, "images", "images.lock.json"));
    expect(Object.keys(lock.images).sort()).toEqual([...imageApps].sort());
  });

  it("is pinned into the rendered tree: each of our images appears only as repository:tag@digest from the lock", () => {
    const ours = renderedImages().filter((i) => i.startsWith("ghcr.io/ioos/dmac-") && !i.startsWith("ghcr.io/ioos/dmac-event-bridge:"));
    expect(ours.length).toBeGreaterThan(0);
    const pinned = new Set(imageApps.map((app) => pinnedReference(lock.images[app])));
    for (const image of ours) expect(pinned.has(image), image).toBe(true);
    // Each Node workload and the Dask payload is used somewhere.
    for (const app of imageApps) expect(ours, app).toContain(pinnedReference(lock.images[app]));
  });

  it("gives references the Deployment rule and the IngestJob schema accept", () => {
    const pattern = new RegExp(pinnedImagePattern);
    for (const app of imageApps) {
      const ref = pinnedReference(lock.images[app]);
      expect(() => assertPinnedImage(ref, app)).not.toThrow();
      expect(pattern.test(ref), ref).toBe(true);
    }
    expect(pattern.test("ghcr.io/ioos/dmac-ingest-worker:0.1.0")).toBe(true);
    expect(pattern.test(`ghcr.io/ioos/dmac-ingest-worker@sha256:${"a".repeat(64)}`)).toBe(true);
    expect(pattern.test(`ghcr.io/ioos/dmac-ingest-worker:0.1.0@sha256:${"a".repeat(63)}`)).toBe(false);
    expect(pattern.test("ghcr.io/ioos/dmac-ingest-worker")).toBe(false);
  });

  it("is validated field by field", () => {
    const text = readFileSync(lockPath(), "utf8");
    const broken = JSON.parse(text) as { images: Record<string, Record<string, unknown>> };
    (broken.images.operator as Record<string, unknown>).digest = "sha256:abc";
    expect(() => parseLock(JSON.stringify(broken), "x.json")).toThrow(/x\.json: images\.operator\.digest/);
    const missing = JSON.parse(text) as { images: Record<string, unknown> };
    delete missing.images.viewer;
    expect(() => parseLock(JSON.stringify(missing), "x.json")).toThrow(/images\.viewer: missing/);
    expect(() => parseLock("{", "x.json")).toThrow(/not JSON/);
  });
});

describe("synth --check and the lock", () => {
  const synthCheck = (lockFile: string) =>
    spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "clusters/synth.ts"), "--check"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DMAC_IMAGES_LOCK: lockFile },
    });

  it("passes with the committed lock", () => {
    const result = synthCheck(lockPath());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails, naming the image, when the lock changes and the tree is not re-rendered", () => {
    const changed = JSON.parse(readFileSync(lockPath(), "utf8")) as { images: Record<string, { digest: string }> };
    const digest = `sha256:${"0".repeat(64)}`;
    (changed.images["data-api"] as { digest: string }).digest = digest;
    (changed.images["ingest-worker"] as { digest: string }).digest = digest;
    const file = join(work, "images.lock.json");
    writeFileSync(file, JSON.stringify(changed));
    const result = synthCheck(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`ghcr.io/ioos/dmac-data-api:${lock.images["data-api"].tag}@${digest}`);
    expect(result.stderr).toContain(`ghcr.io/ioos/dmac-ingest-worker:${lock.images["ingest-worker"].tag}@${digest}`);
    expect(result.stderr).toMatch(/synth --check: \d+ generated file\(s\) differ/);
  });
});
