// Generates the sample NOS OFS files the local platform ingests on its first run (`npm start`), so
// it needs no internet and no netcdf-bin. Run by hand when the samples change:
//   npx tsx samples/make-samples.ts [out-dir]       (needs ncgen from Debian's netcdf-bin; about 20 s)
// The files are committed under samples/data/. They are synthetic but on the models' real regions:
// a curvilinear ROMS grid over Chesapeake Bay whose mask_rho is Natural Earth's land (chesapeake.ts;
// NetCDF-4, deflated) and an FVCOM mesh over the northern Gulf of Mexico (gulf.ts; NetCDF-3), with
// tides, salinity, temperature and currents a scientist recognises, written from the same CDL
// templates the tests use. Deterministic: the same files every run.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { landFromTopology, landTest, type LandTopology } from "../apps/viewer/src/land.js";
import { CBOFS_SHAPE, romsFields, romsGrid, type RomsGrid } from "./chesapeake.js";
import { fvcomFields, fvcomMesh, type FvcomMesh } from "./gulf.js";

const here = dirname(fileURLToPath(import.meta.url));
const cdlDir = join(here, "..", "test", "fixtures", "cdl");
/** Where the files go (its cbofs/ and ngofs2/ are replaced): samples/data, or the first argument (the tests regenerate into a temporary one). */
const out = process.argv[2] ?? join(here, "data");
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

function ncgen(template: string, dims: Record<string, number>, values: Record<string, ArrayLike<number>>, path: string, kind: "nc4" | "classic", extra?: typeof ROMS_VELOCITIES, transform?: (cdl: string) => string): void {
  let cdl = readFileSync(join(cdlDir, template), "utf8");
  if (extra !== undefined) {
    cdl = cdl.replace("\tocean_time = UNLIMITED ;", `${extra.dims}\tocean_time = UNLIMITED ;`).replace("\n// global attributes:", `${extra.variables}\n// global attributes:`).replace(/\}\s*$/, `${extra.data}}\n`);
    for (const [dim, size] of Object.entries(dims)) cdl = cdl.replace(`@${dim}@`, String(size));
  }
  for (const [dim, size] of Object.entries(dims)) cdl = cdl.replace(new RegExp(`\\t${dim} = \\d+ ;`), `\t${dim} = ${size} ;`);
  if (transform !== undefined) cdl = transform(cdl);
  cdl = cdl.replace(/@(\w+)@/g, (_m, name: string) => {
    const v = values[name];
    if (!v) throw new Error(`no data for @${name}@`);
    return Array.from(v, (x) => (Number.isNaN(x) ? "_" : String(x))).join(", ");
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

/**
 * Rounds to a multiple of 2^-bits (bit grooming, as NetCDF's quantize does): the trailing mantissa
 * bits become zeros, which shuffle + deflate squeeze out of the NetCDF-4 file. 17 bits is 8e-6
 * degrees (under a metre), 10 bits 0.001.
 */
const round = (values: ArrayLike<number>, bits: number): number[] => Array.from(values, (x) => (Number.isNaN(x) ? NaN : Math.round(x * 2 ** bits) / 2 ** bits));

/** CDL storage settings for the ROMS sample: one chunk per time step, deflate level 5 with shuffle. */
function romsStorage(cdl: string, ny: number, nx: number, ns: number): string {
  const deflate = (name: string) => `\t\t${name}:_DeflateLevel = 5 ;\n\t\t${name}:_Shuffle = "true" ;\n`;
  let out = cdl.replace(/_ChunkSizes = 1, 3, 5, 7 ;/g, `_ChunkSizes = 1, ${ns}, ${ny}, ${nx} ;`).replace(/_ChunkSizes = 1, 5, 7 ;/g, `_ChunkSizes = 1, ${ny}, ${nx} ;`).replace(/_DeflateLevel = 1 ;/g, "_DeflateLevel = 5 ;");
  for (const name of ["h", "lon_rho", "lat_rho", "mask_rho", "lon_u", "lat_u", "mask_u", "lon_v", "lat_v", "mask_v"]) out = out.replace(new RegExp(`(\\t(?:double|float) ${name}\\([^)]*\\) ;\\n)`), `$1${deflate(name)}`);
  for (const name of ["u", "v"]) out = out.replace(new RegExp(`(\\t${name}:_FillValue = 1.e\\+37f ;\\n)`), `$1\t\t${name}:_ChunkSizes = 1, ${ns}, @${name}_chunk@ ;\n${deflate(name)}`);
  return out;
}

const landTopology = createRequire(import.meta.url)("world-atlas/land-10m.json") as LandTopology;
const land = landFromTopology(landTopology, "10m");

/** CBOFS: the ROMS grid over Chesapeake Bay (chesapeake.ts), one forecast hour per file. */
function cbofs(grid: RomsGrid, cycle: Date, lead: number): void {
  const { ny, nx } = grid;
  const ns = CBOFS_SHAPE.s;
  const valid = cycle.getTime() + lead * HOUR;
  const epoch = Date.UTC(2016, 0, 1);
  const f = romsFields(grid, valid / HOUR);
  // Staggered grids: u between rho points along xi (ny x nx-1), v along eta (ny-1 x nx); a
  // velocity point is water where both rho points beside it are.
  const stagger = (g: "u" | "v") => {
    const [my, mx] = g === "u" ? [ny, nx - 1] : [ny - 1, nx];
    const next = (j: number, i: number) => (g === "u" ? j * nx + i + 1 : (j + 1) * nx + i);
    const cells = Array.from({ length: my * mx }, (_, k) => [Math.floor(k / mx), k % mx] as const);
    const mid = (a: Float64Array) => round(cells.map(([j, i]) => ((a[j * nx + i] ?? 0) + (a[next(j, i)] ?? 0)) / 2), 17);
    const wet = cells.map(([j, i]) => (grid.mask[j * nx + i] ?? 0) * (grid.mask[next(j, i)] ?? 0));
    return { [`lon_${g}`]: mid(grid.lon), [`lat_${g}`]: mid(grid.lat), [`mask_${g}`]: wet, [g]: round(f[g], 12), [`${g}_chunk`]: [my, mx] };
  };
  // salt is packed (short, scale_factor 0.001, add_offset 20): CDL data are the packed integers.
  const salt = f.salt.map((x) => (Number.isNaN(x) ? NaN : Math.round((x - 20) / 0.001)));
  ncgen("roms-cbofs.cdl", { xi_rho: nx, eta_rho: ny, eta_u: ny, xi_u: nx - 1, eta_v: ny - 1, xi_v: nx },
    { ocean_time: [(valid - epoch) / 1000], h: round(grid.h, 6), lon_rho: round(grid.lon, 17), lat_rho: round(grid.lat, 17), mask_rho: grid.mask, zeta: round(f.zeta, 12), temp: round(f.temp, 10), salt, ...stagger("u"), ...stagger("v") },
    join(out, "cbofs", `cbofs.${ymd(cycle)}`, `nos.cbofs.fields.f${hhh(lead)}.${ymd(cycle)}.t${hh(cycle)}z.nc`), "nc4", ROMS_VELOCITIES, (cdl) => romsStorage(cdl, ny, nx, ns));
}

/** The NGOFS2 template's fixed 7-node mesh data become placeholders for the generated mesh. */
const fvcomMeshData = (cdl: string) => cdl.replace(/\n x = [^;]*;/, "\n x = @x@ ;").replace(/\n siglay = [^;]*;/, "\n siglay = @siglay@ ;").replace(/\n siglev = [^;]*;/, "\n siglev = @siglev@ ;").replace(/\n h = [^;]*;/, "\n h = @h@ ;").replace(/\n nv = [^;]*;/, "\n nv = @nv@ ;");

/** NGOFS2: the FVCOM mesh over the northern Gulf (gulf.ts), one nowcast hour per file. */
function ngofs2(mesh: FvcomMesh, cycle: Date, step: number): void {
  const valid = cycle.getTime() + (step - 6) * HOUR;
  const days = (valid - Date.UTC(1858, 10, 17)) / (24 * HOUR);
  const nodes = mesh.lon.length;
  const elements = mesh.lonc.length;
  const f = fvcomFields(mesh, valid / HOUR);
  const lon0 = -90;
  const x = Array.from(mesh.lon, (l, p) => Math.round((l - lon0) * 111_320 * Math.cos(((mesh.lat[p] as number) * Math.PI) / 180)));
  // nv(three, nele), 1-based as FVCOM writes it.
  const nv = [0, 1, 2].flatMap((corner) => Array.from({ length: elements }, (_, e) => (mesh.triangles[3 * e + corner] as number) + 1));
  ncgen("fvcom-ngofs2.cdl", { node: nodes, nele: elements }, {
    x,
    lon: round(mesh.lon, 17),
    lat: round(mesh.lat, 17),
    lonc: round(mesh.lonc, 17),
    latc: round(mesh.latc, 17),
    siglay: [...Array<number>(nodes).fill(-0.25), ...Array<number>(nodes).fill(-0.75)],
    siglev: [...Array<number>(nodes).fill(0), ...Array<number>(nodes).fill(-0.5), ...Array<number>(nodes).fill(-1)],
    h: round(mesh.h, 6),
    nv,
    time: [days],
    Itime: [Math.floor(days)],
    Itime2: [Math.round((days - Math.floor(days)) * 86_400_000)],
    zeta: round(f.zeta, 12),
    temp: round(f.temp, 10),
    u: round(f.u, 12),
  }, join(out, "ngofs2", `ngofs2.${ymd(cycle)}`, `nos.ngofs2.fields.n${hhh(step)}.${ymd(cycle)}.t${hh(cycle)}z.nc`), "classic", undefined, fvcomMeshData);
}

const started = performance.now();
const roms = romsGrid(landTest(land, [-78, 36.4, -74.8, 39.9]));
const mesh = fvcomMesh(landTest(land, [-98, 25.5, -84, 31]));
// Only this script's folders: samples/data also holds other samples (stations).
for (const model of ["cbofs", "ngofs2"]) rmSync(join(out, model), { recursive: true, force: true });
for (const cycle of [new Date("2023-10-22T00:00:00Z"), new Date("2023-10-22T06:00:00Z")]) {
  for (let lead = 1; lead <= 6; lead++) cbofs(roms, cycle, lead);
  for (let step = 1; step <= 6; step++) ngofs2(mesh, cycle, step);
}
console.log(`samples written to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s: CBOFS ${roms.ny} x ${roms.nx} rho points (${roms.mask.reduce((a, b) => a + b, 0)} water), NGOFS2 ${mesh.lon.length} nodes and ${mesh.lonc.length} elements`);
