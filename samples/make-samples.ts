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

/** CDL added to the test template: ROMS velocities on their staggered u and v grids, as CBOFS writes them. */
const ROMS_VELOCITIES = {
  dims: "\teta_u = @eta_u@ ;\n\txi_u = @xi_u@ ;\n\teta_v = @eta_v@ ;\n\txi_v = @xi_v@ ;\n",
  variables: ["u", "v"].map((g) => `\tdouble lon_${g}(eta_${g}, xi_${g}) ;
\t\tlon_${g}:long_name = "longitude of ${g.toUpperCase()}-points" ;
\t\tlon_${g}:units = "degree_east" ;
\t\tlon_${g}:standard_name = "longitude" ;
\tdouble lat_${g}(eta_${g}, xi_${g}) ;
\t\tlat_${g}:long_name = "latitude of ${g.toUpperCase()}-points" ;
\t\tlat_${g}:units = "degree_north" ;
\t\tlat_${g}:standard_name = "latitude" ;
\tdouble mask_${g}(eta_${g}, xi_${g}) ;
\t\tmask_${g}:long_name = "mask on ${g.toUpperCase()}-points" ;
\t\tmask_${g}:flag_values = 0., 1. ;
\t\tmask_${g}:flag_meanings = "land water" ;
\t\tmask_${g}:coordinates = "lon_${g} lat_${g}" ;
\tfloat ${g}(ocean_time, s_rho, eta_${g}, xi_${g}) ;
\t\t${g}:long_name = "${g === "u" ? "u" : "v"}-momentum component" ;
\t\t${g}:units = "meter second-1" ;
\t\t${g}:time = "ocean_time" ;
\t\t${g}:coordinates = "lon_${g} lat_${g} s_rho ocean_time" ;
\t\t${g}:_FillValue = 1.e+37f ;
`).join(""),
  data: ["u", "v"].map((g) => ` lon_${g} = @lon_${g}@ ;\n lat_${g} = @lat_${g}@ ;\n mask_${g} = @mask_${g}@ ;\n ${g} = @${g}@ ;\n`).join(""),
};

function ncgen(template: string, dims: Record<string, number>, values: Record<string, ArrayLike<number>>, path: string, kind: "nc4" | "classic", extra?: typeof ROMS_VELOCITIES): void {
  let cdl = readFileSync(join(cdlDir, template), "utf8");
  if (extra !== undefined) {
    cdl = cdl.replace("\tocean_time = UNLIMITED ;", `${extra.dims}\tocean_time = UNLIMITED ;`).replace("\n// global attributes:", `${extra.variables}\n// global attributes:`).replace(/\}\s*$/, `${extra.data}}\n`);
    for (const [dim, size] of Object.entries(dims)) cdl = cdl.replace(`@${dim}@`, String(size));
  }
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
  const mask: number[] = land.map((l) => (l ? 0 : 1));
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
  // Staggered grids: u between rho points along xi (ny x nx-1), v along eta (ny-1 x nx); a
  // velocity point is water where both rho points beside it are.
  const stagger = (g: "u" | "v") => {
    const [my, mx] = g === "u" ? [ny, nx - 1] : [ny - 1, nx];
    const next = (j: number, i: number) => (g === "u" ? j * nx + i + 1 : (j + 1) * nx + i);
    const cells = Array.from({ length: my * mx }, (_, k) => [Math.floor(k / mx), k % mx] as const);
    const mid = (f: number[]) => cells.map(([j, i]) => ((f[j * nx + i] ?? 0) + (f[next(j, i)] ?? 0)) / 2);
    const wet = cells.map(([j, i]) => (mask[j * nx + i] ?? 0) * (mask[next(j, i)] ?? 0));
    const speed: number[] = [];
    for (let s = 0; s < ns; s++)
      cells.forEach(([j, i], k) => speed.push(wet[k] ? (1 - 0.2 * s) * 0.4 * (g === "u" ? Math.cos : Math.sin)((2 * Math.PI * hours) / 12.42 - 0.05 * i - 0.03 * j) : NaN));
    return { [`lon_${g}`]: mid(lon), [`lat_${g}`]: mid(lat), [`mask_${g}`]: wet, [g]: speed };
  };
  ncgen("roms-cbofs.cdl", { xi_rho: nx, eta_rho: ny, eta_u: ny, xi_u: nx - 1, eta_v: ny - 1, xi_v: nx },
    { ocean_time: [(valid - epoch) / 1000], h: depth, lon_rho: lon, lat_rho: lat, mask_rho: mask, zeta, temp, salt, ...stagger("u"), ...stagger("v") },
    join(out, "cbofs", `cbofs.${ymd(cycle)}`, `nos.cbofs.fields.f${hhh(lead)}.${ymd(cycle)}.t${hh(cycle)}z.nc`), "nc4", ROMS_VELOCITIES);
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
