// The shipped samples (samples/data), read back with xarray (/usr/bin/python3): they are what
// samples/make-samples.ts writes (regenerated with Debian's ncgen and compared with ncdump, so a
// change to the generator without new files fails); they fit the 25 MB budget; CBOFS is a ROMS grid
// over Chesapeake Bay whose water cells are water in Natural Earth's 1:10m land (the coastline the
// viewer draws), NGOFS2 an FVCOM mesh over the northern Gulf whose every triangle is water; and the
// physics a scientist expects: the M2 tide arrives later up the bay, salinity falls from the ocean
// to the head and is higher at the bottom, surface temperature has a diurnal cycle, and the
// along-bay current is in phase with the elevation (a progressive tidal wave).
import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { landFromTopology, landTest, type LandTopology } from "../../apps/viewer/src/land.js";
import { tempDir } from "../dataplane/fixtures.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "..", "..");
const samples = join(repo, "samples", "data");
const land = landFromTopology(createRequire(import.meta.url)("world-atlas/land-10m.json") as LandTopology, "10m");

interface Place {
  phase: number;
  amplitude: number;
  salt_surface: number;
  salt_bottom: number;
  temp_surface: number[];
  corr_zeta_v: number;
  speed: number;
}
interface Physics {
  cbofs: { shape: number[]; times: number; lon: number[]; lat: number[]; mask: number[]; places: Record<"ocean" | "mouth" | "mid" | "head", Place> };
  ngofs2: { nodes: number; elements: number; times: number; nv_min: number; nv_max: number; lonc: number[]; latc: number[]; zeta: number[]; temp_surface: number[]; u: number[] };
}

/** The model samples make-samples.ts writes (samples/data holds other samples too, e.g. stations). */
const files = (dir: string) => ["cbofs", "ngofs2"].flatMap((model) => readdirSync(join(dir, model), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".nc")).map((f) => join(model, f))).sort();
/** Every file shipped under samples/data, whoever makes it: the 25 MB budget is for all of them. */
const shipped = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
let physics: Physics;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir("dmac-samples-");
  const { stdout } = await run("/usr/bin/python3", [join(here, "physics.py"), samples], { maxBuffer: 256 * 1024 * 1024 });
  physics = JSON.parse(stdout) as Physics;
}, 120_000);
afterAll(() => tmp?.cleanup());

describe("the shipped samples", () => {
  it("are what samples/make-samples.ts writes, byte for byte in content (ncdump), and fit 25 MB", async () => {
    const again = join(tmp.path, "data");
    await run(join(repo, "node_modules", ".bin", "tsx"), [join(repo, "samples", "make-samples.ts"), again], { cwd: repo });
    expect(files(again)).toEqual(files(samples));
    expect(files(samples)).toHaveLength(24);
    for (const f of files(samples)) {
      const [a, b] = await Promise.all([join(samples, f), join(again, f)].map((p) => run("ncdump", [p], { maxBuffer: 256 * 1024 * 1024 }).then((r) => r.stdout.split("\n").slice(1).join("\n"))));
      expect(a === b, f).toBe(true);
    }
    const bytes = shipped(samples).reduce((n, f) => n + statSync(join(samples, f)).size, 0);
    console.log(`samples: ${(bytes / 1e6).toFixed(2)} MB in ${shipped(samples).length} files`);
    expect(bytes).toBeLessThan(25e6);
  }, 180_000);

  it("CBOFS: a 112 x 96 ROMS grid over Chesapeake Bay whose water cells are water in Natural Earth", () => {
    const { shape, times, lon, lat, mask } = physics.cbofs;
    expect(shape).toEqual([112, 96]);
    expect(times).toBe(12);
    const isLand = landTest(land, [-78, 36.4, -74.8, 39.9]);
    const wet = mask.flatMap((m, k) => (m === 1 ? [k] : []));
    expect(wet.length).toBeGreaterThan(2500);
    expect(wet.filter((k) => isLand(lon[k] as number, lat[k] as number))).toEqual([]);
    // The bay from its mouth to its head, and the shelf off the mouth.
    expect(Math.min(...wet.map((k) => lat[k] as number))).toBeLessThan(36.9);
    expect(Math.max(...wet.map((k) => lat[k] as number))).toBeGreaterThan(39.4);
  });

  it("CBOFS: the M2 tide arrives at the mouth, then mid-bay, then the head", () => {
    const { ocean, mouth, mid, head } = physics.cbofs.places;
    expect(ocean.phase).toBeLessThan(mouth.phase);
    expect(mid.phase - mouth.phase).toBeGreaterThan(2);
    expect(head.phase - mid.phase).toBeGreaterThan(2);
    expect(mouth.amplitude).toBeGreaterThan(0.3);
    expect(mid.amplitude).toBeLessThan(mouth.amplitude);
  });

  it("CBOFS: salinity falls from the ocean to the head of the bay and is higher at the bottom", () => {
    const { ocean, mouth, mid, head } = physics.cbofs.places;
    expect(ocean.salt_surface).toBeGreaterThan(30);
    expect(mouth.salt_surface).toBeGreaterThan(mid.salt_surface + 5);
    expect(mid.salt_surface).toBeGreaterThan(head.salt_surface + 5);
    expect(head.salt_surface).toBeLessThan(5);
    expect(mid.salt_bottom).toBeGreaterThan(mid.salt_surface + 1);
  });

  it("CBOFS: surface temperature has a diurnal cycle (coolest early morning local time) and the current is in phase with the tide", () => {
    for (const name of ["mouth", "mid", "head"] as const) {
      const p = physics.cbofs.places[name];
      const t = p.temp_surface;
      const coolest = t.indexOf(Math.min(...t)) + 1; // hours 01..12 UTC
      expect(coolest, name).toBeGreaterThanOrEqual(6);
      expect(coolest, name).toBeLessThanOrEqual(10);
      expect(Math.max(...t) - Math.min(...t), name).toBeGreaterThan(0.1);
      expect(p.corr_zeta_v, name).toBeGreaterThan(0.9);
      expect(p.speed, name).toBeGreaterThan(0.05);
      expect(p.speed, name).toBeLessThan(1.5);
    }
  });

  it("NGOFS2: an FVCOM mesh over the northern Gulf whose every triangle is water, with plausible fields", () => {
    const n = physics.ngofs2;
    expect(n.nodes).toBeGreaterThan(15_000);
    expect(n.elements).toBeGreaterThan(1.8 * n.nodes);
    expect(n.times).toBe(12);
    expect([n.nv_min, n.nv_max]).toEqual([1, n.nodes]);
    const isLand = landTest(land, [-98, 25.5, -84, 31]);
    expect(n.lonc.filter((x, e) => isLand(x, n.latc[e] as number))).toEqual([]);
    expect(Math.min(...n.lonc)).toBeLessThan(-97);
    expect(Math.max(...n.lonc)).toBeGreaterThan(-85);
    expect(n.zeta[0]).toBeGreaterThan(-0.6);
    expect(n.zeta[1]).toBeLessThan(0.6);
    expect(n.temp_surface[0]).toBeGreaterThan(18);
    expect(n.temp_surface[1]).toBeLessThan(31);
    expect(Math.max(...n.u.map(Math.abs))).toBeLessThan(1.5);
  });
});
