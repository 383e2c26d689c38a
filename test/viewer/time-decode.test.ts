// The viewer's CF time decoding: ROMS writes `ocean_time` as float64 "seconds since 2016-01-01";
// in 2026 those are about 3.45e8 s, where float32 steps are 32 s apart, so decoding the time axis
// as float32 turned 01:00:00 into 00:59:44. The axis is read through the viewer's own Zarr reader
// (zarrita over an in-memory consolidated v2 store, served by a fetch stand-in) and
// describeVariables, the path the page uses.
import { describe, expect, it } from "vitest";
import { decodeTimeValues } from "../../apps/viewer/src/decode.js";
import { describeVariables, type DatasetInfo } from "../../apps/viewer/src/dataset.js";
import { openZarr } from "../../apps/viewer/src/zarr.js";

const REFERENCE = Date.UTC(2016, 0, 1);
const HOUR = 3_600_000;
const first = Date.UTC(2026, 11, 7, 0);
const steps = [0, 1, 2, 3, 47].map((h) => first + h * HOUR);

function romsStore(seconds: Float64Array): (input: RequestInfo | URL) => Promise<Response> {
  const array = (shape: number[], dtype: string) => ({ zarr_format: 2, shape, chunks: shape, dtype, compressor: null, fill_value: null, filters: null, order: "C" });
  const metadata = {
    ".zgroup": { zarr_format: 2 },
    ".zattrs": {},
    "ocean_time/.zarray": array([seconds.length], "<f8"),
    "ocean_time/.zattrs": { _ARRAY_DIMENSIONS: ["ocean_time"], units: "seconds since 2016-01-01 00:00:00", calendar: "gregorian" },
    "lon_rho/.zarray": array([1, 2], "<f8"),
    "lon_rho/.zattrs": { _ARRAY_DIMENSIONS: ["eta_rho", "xi_rho"] },
    "lat_rho/.zarray": array([1, 2], "<f8"),
    "lat_rho/.zattrs": { _ARRAY_DIMENSIONS: ["eta_rho", "xi_rho"] },
    "zeta/.zarray": array([seconds.length, 1, 2], "<f4"),
    "zeta/.zattrs": { _ARRAY_DIMENSIONS: ["ocean_time", "eta_rho", "xi_rho"], units: "m" },
  };
  const files = new Map<string, Uint8Array<ArrayBuffer>>([
    [".zmetadata", new TextEncoder().encode(JSON.stringify({ zarr_consolidated_format: 1, metadata })) as Uint8Array<ArrayBuffer>],
    ["ocean_time/0", new Uint8Array(seconds.buffer.slice(0)) as Uint8Array<ArrayBuffer>],
  ]);
  return async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const key = new URL(url).pathname.replace(/^\/store\//, "");
    const body = files.get(key);
    return body === undefined ? new Response(null, { status: 404 }) : new Response(body);
  };
}

describe("CF time decoding in the viewer", () => {
  it("ROMS ocean_time (float64 seconds since 2016) decodes to the exact hour, through zarrita and describeVariables", async () => {
    const seconds = Float64Array.from(steps, (ms) => (ms - REFERENCE) / 1000);
    const z = await openZarr("http://viewer.test/store", romsStore(seconds), 2);
    const info: DatasetInfo = { id: "cbofs", title: "CBOFS", grids: [{ kind: "curvilinear", lon: "lon_rho", lat: "lat_rho", dims: ["eta_rho", "xi_rho"], shape: [1, 2] }], parameters: ["zeta"] };
    const [zeta] = await describeVariables(info, z);
    expect(zeta?.times.map((t) => new Date(t).toISOString())).toEqual(steps.map((t) => new Date(t).toISOString()));
    expect(new Date(zeta?.times[1] ?? 0).toISOString()).toBe("2026-12-07T01:00:00.000Z");
  });

  it("decodes fill values to NaN and applies scale_factor/add_offset in float64", () => {
    const meta = { shape: [3], chunks: [3], dtype: "<i8", fill_value: -1 };
    const out = decodeTimeValues(new BigInt64Array([344998800n, -1n, 345002400n]), meta, {});
    expect(out).toBeInstanceOf(Float64Array);
    expect([out[0], Number.isNaN(out[1]), out[2]]).toEqual([344998800, true, 345002400]);
    // Packed hours: 95832.25 h is exact in float64 and not in float32.
    const packed = decodeTimeValues(new Int32Array([9583225]), { shape: [1], chunks: [1], dtype: "<i4", fill_value: null }, { scale_factor: 0.01, add_offset: 0 });
    expect(packed[0]).toBeCloseTo(95832.25, 9);
  });
});
