// Fuzzing: 10,000 random and malformed requests (query strings for every route, Zarr keys with
// traversal attempts) from a seeded generator. No answer may be a 5xx, the process must not
// crash, and no file outside a store's root may be read: every key any store is asked for is
// recorded and resolved against its root, and a secret file beside the stores never leaks.
import { mulberry32 } from "../support/prng.js";
import { writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { FileStore, type StoreKey } from "../../dataplane/index.js";
import { buildDataApi } from "../../apps/data-api/index.js";
import { buildTestStores, testDatasets, type TestStores } from "./stores.js";
import { INHERITED_NAMES } from "../../apps/shared/own.js";
import { checkCoverageJson } from "./covjson-check.js";

/** A FileStore that records every key it is asked to read. */
class RecordingStore extends FileStore {
  constructor(
    root: string,
    private readonly seen: Array<{ root: string; key: string }>,
  ) {
    super(root);
  }
  override async get(key: StoreKey): Promise<Uint8Array | undefined> {
    this.seen.push({ root: this.root, key });
    return super.get(key);
  }
}


const SECRET = "dmac-fuzz-secret-4f1c9a";
let stores: TestStores;
let app: FastifyInstance;
const seen: Array<{ root: string; key: string }> = [];

beforeAll(async () => {
  stores = await buildTestStores();
  writeFileSync(join(stores.dir, "secret.txt"), SECRET);
  writeFileSync(join(stores.dir, ".zmetadata"), JSON.stringify({ secret: SECRET }));
  app = await buildDataApi({
    datasets: testDatasets(stores),
    maxValues: 200_000,
    revalidateMs: 0,
    openStore: async (url) => new RecordingStore(url.replace(/^file:\/\//, ""), seen),
  });
});
afterAll(async () => {
  await app?.close();
  stores?.cleanup();
});

const rnd = mulberry32(20261124);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const int = (n: number) => Math.floor(rnd() * n);

const NUMBERS = ["0", "-0", "1e308", "-1e308", "NaN", "Infinity", "-Infinity", "1e-320", "180", "-180", "360", "720", "90", "-91", "0x10", "1_000", "", " ", "-76.4", "37.05", "10", "28.5", "-90.47", "280.2", "..", "1,2"];
const num = () => (rnd() < 0.6 ? String(Math.round((rnd() * 800 - 400) * 1000) / 1000) : pick(NUMBERS));
const pos = () => `${num()} ${num()}`;
const JUNK = ["(", ")", "((", "))", ",", " ", "\u0000", "%", "%00", "%2e%2e%2f", "../", "..\\", "\u202e", "😀", "'", '"', ";", "\n", "\t", "=", "&", "#", "?", "POINT", "EMPTY", "Z", "M"];

function mutate(s: string): string {
  const chars = [...s];
  const n = 1 + int(4);
  for (let i = 0; i < n; i++) {
    const at = int(chars.length + 1);
    const op = int(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, pick(JUNK));
    else chars.splice(at, 0, ...[...(chars.slice(0, int(chars.length + 1)).join("") || "x")]);
  }
  return chars.join("");
}

function wkt(): string {
  const kind = int(7);
  let s: string;
  if (kind === 0) s = `POINT(${pos()})`;
  else if (kind === 1) s = `MULTIPOINT(${Array.from({ length: 1 + int(5) }, () => (rnd() < 0.5 ? `(${pos()})` : pos())).join(",")})`;
  else if (kind === 2) {
    const ring = Array.from({ length: 3 + int(6) }, pos);
    s = `POLYGON((${[...ring, ring[0]].join(",")}))`;
  } else if (kind === 3) s = `POLYGON((-80 9, -79 9, -79 11, -80 11, -80 9))`;
  else if (kind === 4) s = `${pick(["LINESTRING", "point", "MultiPoint", "GEOMETRYCOLLECTION", "POLYGON Z", "CIRCLE"])}(${pos()})`;
  else if (kind === 5) s = "(".repeat(int(300)) + pos() + ")".repeat(int(300));
  else s = Array.from({ length: int(40) }, () => pick(JUNK)).join("");
  return rnd() < 0.4 ? mutate(s) : s;
}

function datetime(): string {
  // Out-of-range dates too (issue #22): year 0, years past 9999, offsets pushing year 1 into year 0, leap seconds.
  const iso = () => pick(["2023-10-22T01:00:00Z", "2023-10-22", "2023-13-01T00:00:00Z", "2023-10-22T25:00:00Z", "2023-10-22T01:00:00+05:30", "..", "", "now", "2023-02-29", "9999-12-31T23:59:59.999999999Z", "-2023-01-01", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "10000-01-01T00:00:00Z", "9999-12-31T23:59:60Z", "2016-12-31T23:59:60Z", "+002023-01-01T00:00:00Z", "2023-10-22T01:00:00+99:99"]);
  const s = rnd() < 0.5 ? iso() : `${iso()}/${iso()}`;
  return rnd() < 0.3 ? mutate(s) : s;
}

const PARAMS: Record<string, () => string> = {
  coords: wkt,
  bbox: () => (rnd() < 0.7 ? Array.from({ length: pick([3, 4, 4, 4, 5, 6, 7]) }, num).join(",") : mutate("-80,9,-79,11")),
  datetime,
  z: () => pick(["0", "-0.5", "0,10,50", "0/50", "R3/0/10", "R100000/0/1", "R0/0/0", "a", "1/2/3", "", mutate("0,10")]),
  "parameter-name": () => pick(["zeta", "temp,salt", "sst", "ssh,mixed_layer_thickness", "u", "nope", "", ",", "zeta,zeta", mutate("temp"), pick(INHERITED_NAMES), `zeta,${pick(INHERITED_NAMES)}`]),
  crs: () => pick(["EPSG:4326", "CRS84", "EPSG:3857", "", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", mutate("EPSG:4326")]),
  f: () => pick(["CoverageJSON", "CSV", "GeoJSON", "covjson", "csv", "xml", "", mutate("GeoJSON")]),
  junk: () => mutate("x"),
};

function zarrKey(): string {
  const parts = [
    ".zmetadata",
    "zeta/.zarray",
    "zeta/0.0.0",
    `zeta/${int(12)}.${int(3)}.${int(3)}`,
    "../secret.txt",
    "..%2fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "zeta/../../secret.txt",
    "zeta/..%2f..%2fsecret.txt",
    "..\\secret.txt",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "./.zmetadata",
    "zeta/./0.0.0",
    "zeta//0.0.0",
    "%00",
    "..",
    "...",
    "zeta/%2e%2e",
    "temp/0.0.0.0",
    "sst/3.0.0",
    `${"a/".repeat(int(50))}b`,
    // Keys that are JavaScript built-in names (issue #22: they answered 500).
    `${pick(INHERITED_NAMES)}/.zarray`,
    `${pick(INHERITED_NAMES)}/0.0.0`,
    pick(INHERITED_NAMES),
  ];
  const k = pick(parts);
  return rnd() < 0.3 ? mutate(k) : k;
}

const VALID = ["cbofs", "ngofs2", "rtofs", "regular"];
const INVALID = ["nope", "..", "%2e%2e", "cbofs%00", "a".repeat(100), "cbofs/..", "%2fetc", ...INHERITED_NAMES.map(encodeURIComponent)];
const collection = () => (rnd() < 0.85 ? pick(VALID) : pick(INVALID));

function request(): string {
  const r = rnd();
  if (r < 0.2) return `/datasets/${collection()}/zarr/${zarrKey()}`;
  if (r < 0.25) return pick(["/", "/api", "/conformance", "/collections", "/datasets", `/collections/${collection()}`, `/datasets/${collection()}`]) + (rnd() < 0.5 ? `?${mutate("f=json")}` : "");
  const type = rnd() < 0.9 ? pick(["position", "area", "cube"]) : pick(["positions", "radius", "trajectory", "%2e%2e"]);
  const query: string[] = [];
  const n = int(6);
  for (let i = 0; i < n; i++) {
    const name = pick(Object.keys(PARAMS));
    const value = (PARAMS[name] as () => string)();
    query.push(`${rnd() < 0.05 ? mutate(name) : name}=${rnd() < 0.9 ? encodeURIComponent(value) : value.replace(/[#?\s]/g, "")}`);
  }
  // Queries that usually get past parsing, so data reads are fuzzed too.
  if (rnd() < 0.3) query.push(type === "cube" ? `bbox=${encodeURIComponent(pick(["-76.6,36.9,-76.2,37.3", "-80,9,-79,11", "-10,-5,10,5", "-91,28,-90,29"]))}` : `coords=${encodeURIComponent(pick(["POINT(-76.4 37.05)", "POINT(280.2 10.1)", "MULTIPOINT((-90.47 28.5),(10 2))", "POLYGON((-77 36, -76 36, -76 38, -77 38, -77 36))"]))}`);
  return `/collections/${collection()}/${type}?${query.join(rnd() < 0.9 ? "&" : pick([";", "&&", "&=&"]))}`;
}

const BODIES = ['{"coords":"POINT(0 0)"}', "coords=POINT(0 0)", "{", "null", "[]", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', "\u0000".repeat(10), "a".repeat(70_000), "[".repeat(100_000), `{"a":${'{"a":'.repeat(10_000)}1${"}".repeat(10_001)}`];
const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x"];

/** Mostly GET; some HEAD; some POST/PUT/DELETE with random bodies (the API is read-only). */
function randomMethod(url: string): { method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE"; url: string; payload?: string; headers?: Record<string, string> } {
  const r = rnd();
  if (r < 0.9) return { method: "GET", url };
  if (r < 0.94) return { method: "HEAD", url };
  const body = rnd() < 0.5 ? pick(BODIES) : mutate(pick(BODIES).slice(0, 200));
  return { method: pick(["POST", "PUT", "DELETE"] as const), url, payload: body, headers: { "content-type": pick(CONTENT_TYPES) } };
}

describe("fuzzing the data API", () => {
  it("10,000 random and malformed requests: no 5xx, JSON errors, nothing read outside a store root", async () => {
    const counts = new Map<number, number>();
    let covjson = 0;
    const failures: string[] = [];
    const N = 10_000;
    const batch = 16;
    for (let i = 0; i < N; i += batch) {
      const urls = Array.from({ length: Math.min(batch, N - i) }, request);
      const answers = await Promise.all(urls.map((url) => app.inject(randomMethod(url))));
      answers.forEach((res, k) => {
        counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) failures.push(`${res.statusCode} ${urls[k]}: ${res.body.slice(0, 200)}`);
        if (res.body.includes(SECRET)) failures.push(`secret leaked by ${urls[k]}`);
        if (res.statusCode >= 400 && res.body !== "" && !/^application\/json/.test(String(res.headers["content-type"]))) failures.push(`non-JSON ${res.statusCode} for ${urls[k]}`);
        // Whatever the query, a CoverageJSON answer conforms.
        if (res.statusCode === 200 && /^application\/prs\.coverage\+json/.test(String(res.headers["content-type"])) && res.body !== "") {
          covjson += 1;
          for (const v of checkCoverageJson(res.json())) failures.push(`${urls[k]}: ${v}`);
        }
      });
    }
    if (process.env["FUZZ_REPORT"]) console.log(JSON.stringify([...counts]), seen.length);
    expect(failures.slice(0, 20)).toEqual([]);
    // The fuzzer reached the data: successes, client errors and data reads all happened.
    expect(counts.get(200) ?? 0).toBeGreaterThan(1000);
    expect(counts.get(400) ?? 0).toBeGreaterThan(2000);
    expect(counts.get(404) ?? 0).toBeGreaterThan(200);
    expect(seen.length).toBeGreaterThan(100);
    expect(covjson).toBeGreaterThan(100);
    const outside = seen.filter(({ root, key }) => !resolve(root, `.${key}`).startsWith(root + sep));
    expect(outside).toEqual([]);
    const roots = new Set(seen.map((s) => s.root));
    expect([...roots].every((r) => [stores.roms, stores.fvcom, stores.rtofs, stores.regular].map((p) => resolve(p)).includes(r))).toBe(true);
  }, 240_000);
});
