import { describe, expect, it } from "vitest";
import { parseNoddKey } from "../../dataplane/index.js";

describe("NODD object keys", () => {
  it("older noaa-ofs-pds OFS keys: model, cycle, nowcast/forecast, hour", () => {
    expect(parseNoddKey("cbofs.20231022/nos.cbofs.fields.n006.20231022.t00z.nc")).toEqual({ model: "cbofs", cycleMs: Date.UTC(2023, 9, 22, 0), kind: "nowcast", hour: 6, product: "fields" });
    expect(parseNoddKey("s3://noaa-ofs-pds/ngofs2.20231022/nos.ngofs2.fields.f048.20231022.t21z.nc")).toMatchObject({ model: "ngofs2", cycleMs: Date.UTC(2023, 9, 22, 21), kind: "forecast", hour: 48 });
  });
  it("older RTOFS keys (daily 00z cycle)", () => {
    expect(parseNoddKey("rtofs.20230922/rtofs_glo_2ds_f001_diag.nc")).toEqual({ model: "rtofs", cycleMs: Date.UTC(2023, 8, 22), kind: "forecast", hour: 1, product: "2ds_diag" });
    expect(parseNoddKey("rtofs.20230922/rtofs_glo_2ds_n024_diag.nc")).toMatchObject({ kind: "nowcast", hour: 24 });
  });
  it("newer noaa-nos-ofs-pds keys", () => {
    expect(parseNoddKey("cbofs/netcdf/2023/10/22/cbofs.t06z.20231022.fields.f001.nc")).toEqual({ model: "cbofs", cycleMs: Date.UTC(2023, 9, 22, 6), kind: "forecast", hour: 1, product: "fields" });
    expect(parseNoddKey("s3://noaa-nos-ofs-pds/sfbofs/netcdf/2024/01/05/sfbofs.t03z.20240105.fields.n002.nc")).toMatchObject({ model: "sfbofs", kind: "nowcast", hour: 2, cycleMs: Date.UTC(2024, 0, 5, 3) });
  });
  it("keys that follow neither layout, or contradict themselves, are not guessed", () => {
    expect(parseNoddKey("cbofs.20231022/nos.cbofs.fields.n006.20231023.t00z.nc")).toBeUndefined();
    expect(parseNoddKey("cbofs/netcdf/2023/10/21/cbofs.t06z.20231022.fields.f001.nc")).toBeUndefined();
    expect(parseNoddKey("data/model_output.nc")).toBeUndefined();
    expect(() => parseNoddKey("cbofs.20231322/nos.cbofs.fields.f001.20231322.t00z.nc")).toThrow(/invalid date/);
  });
});
