// Generates the sample NOS OFS files the local platform ingests on its first run (`npm start`), so
// it needs no internet and no netcdf-bin. Run by hand when the samples change:
//   npx tsx samples/make-samples.ts        (needs ncgen from Debian's netcdf-bin)
// The files are committed under samples/data/. They are synthetic: smooth, plausible fields on a
// CBOFS-like curvilinear ROMS grid (NetCDF-4) and an NGOFS2-like FVCOM mesh (NetCDF-3), written
// from the same CDL templates the tests use.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cdlDir = join(here, "..", "test", "fixtures", "cdl");
const out = join(here, "data");
const HOUR = 3_600_000;

function ncgen(template: string, dims: Record<string, number>, values: Record<string, ArrayLike<number>>, path: string, kind: "nc4" | "classic"): void {
  let cdl = readFileSync(join(cdlDir, template), "utf8");
  for (const [dim, size] of Object.entries(dims)) cdl = cdl.replace(new RegExp(`\\t${dim} = \\d+ ;`), `\t${dim} = ${size} ;`);
  cdl = cdl.replace(/@(\w+)@/g, (_m, name: string) => {
    const v = values[name];
    if (!v) throw new Error(`no data for @${name}@`);
    return Array.from(v, (x) => (Number.isNaN(x) ? "_" : String(Math.round(x * 1e5) / 1e5))).join(", ");
  });
  mkdirSync(dirname(path), { recursive: true });
  const cdlPath = `${path}.cdl`;
  writeFileSync(cdlPath, cdl);
  execFileSync("ncgen", ["-k", kind, "-o", path, cdlPath]);
  rmSync(cdlPath);
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "");
const hh = (d: Date) => String(d.getUTCHours()).padStart(2, "0");
const hhh = (n: number) => String(n).padStart(3, "0");

/** CBOFS-like: 40 x 60 rho points over the lower Chesapeake Bay, land on the west and south edges. */
function cbofs(cycle: Date, lead: number): void {
  const [ny, nx, ns] = [40, 60, 3];
  const valid = cycle.getTime() + lead * HOUR;
  const epoch = Date.UTC(2016, 0, 1);
  const hours = (valid - epoch) / HOUR;
  const at = <T>(f: (j: number, i: number) => T) => Array.from({ length: ny * nx }, (_, k) => f(Math.floor(k / nx), k % nx));
  const lon = at((j, i) => -76.6 + 0.012 * i + 0.003 * j);
  const lat = at((j, i) => 36.9 + 0.015 * j - 0.002 * i);
  const land = at((j, i) => i < 4 + Math.round(3 * Math.sin(j / 6)) || (j < 3 && i < 20));
  const mask = land.map((l) => (l ? 0 : 1));
  const depth = at((j, i) => 4 + 0.4 * i + 6 * Math.exp(-(((i - 35) / 8) ** 2)));
  const tide = (j: number, i: number) => 0.35 * Math.sin((2 * Math.PI * hours) / 12.42 - 0.05 * i - 0.03 * j);
  const zeta = at((j, i) => (land[j * nx + i] ? NaN : tide(j, i)));
  const temp: number[] = [];
  const salt: number[] = [];
  for (let s = 0; s < ns; s++) {
    at((j, i) => {
      const wet = !land[j * nx + i];
      temp.push(wet ? 14 + 0.08 * j - 0.5 * s + 0.8 * Math.sin((2 * Math.PI * hours) / 24) : NaN);
      salt.push(wet ? 18 + 0.2 * i + 0.6 * s - 0.05 * j : NaN);
      return 0;
    });
  }
  ncgen("roms-cbofs.cdl", { xi_rho: nx, eta_rho: ny }, { ocean_time: [(valid - epoch) / 1000], h: depth, lon_rho: lon, lat_rho: lat, mask_rho: mask, zeta, temp, salt },
    join(out, "cbofs", `cbofs.${ymd(cycle)}`, `nos.cbofs.fields.f${hhh(lead)}.${ymd(cycle)}.t${hh(cycle)}z.nc`), "nc4");
}

/** NGOFS2-like nowcast steps on the template's small triangular mesh. */
function ngofs2(cycle: Date, step: number): void {
  const valid = cycle.getTime() + (step - 6) * HOUR;
  const days = (valid - Date.UTC(1858, 10, 17)) / (24 * HOUR);
  const hours = valid / HOUR;
  const nodes = 7;
  const eles = 6;
  ncgen("fvcom-ngofs2.cdl", {}, {
    lon: Array.from({ length: nodes }, (_, i) => -90.5 + 0.01 * i),
    lat: Array.from({ length: nodes }, (_, i) => 28.5 + 0.005 * (i % 3)),
    lonc: Array.from({ length: eles }, (_, i) => -90.495 + 0.01 * i),
    latc: Array.from({ length: eles }, (_, i) => 28.502 + 0.001 * i),
    time: [days],
    Itime: [Math.floor(days)],
    Itime2: [Math.round((days - Math.floor(days)) * 86_400_000)],
    zeta: Array.from({ length: nodes }, (_, i) => 0.2 * Math.sin((2 * Math.PI * hours) / 12.42 + 0.3 * i)),
    temp: Array.from({ length: 2 * nodes }, (_, k) => 26 + 0.2 * (k % nodes) - 0.8 * Math.floor(k / nodes) + 0.5 * Math.sin((2 * Math.PI * hours) / 24)),
    u: Array.from({ length: 2 * eles }, (_, k) => 0.3 * Math.cos((2 * Math.PI * hours) / 12.42 + 0.2 * k)),
  }, join(out, "ngofs2", `ngofs2.${ymd(cycle)}`, `nos.ngofs2.fields.n${hhh(step)}.${ymd(cycle)}.t${hh(cycle)}z.nc`), "classic");
}

rmSync(out, { recursive: true, force: true });
for (const cycle of [new Date("2023-10-22T00:00:00Z"), new Date("2023-10-22T06:00:00Z")]) {
  for (let lead = 1; lead <= 6; lead++) cbofs(cycle, lead);
  for (let step = 1; step <= 6; step++) ngofs2(cycle, step);
}
console.log(`samples written to ${out}`);
