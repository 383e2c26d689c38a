"""Opens observation stores with xarray (no DSG-specific code) and checks them against the
fixture's records, value by value, and against each other. Prints "ok" or raises.
argv: expected.json store [store...]"""
import json
import sys

import numpy as np
import xarray as xr

expected = json.load(open(sys.argv[1]))
stores = [xr.open_zarr(path, consolidated=True) for path in sys.argv[2:]]
first = stores[0]
assert first.attrs["featureType"] == "timeSeries"
times = np.array(expected["times"], dtype="datetime64[ms]").astype("datetime64[ns]")
np.testing.assert_array_equal(first.time.values, times)
for ds in stores:
    assert list(ds.station.values) == [r["id"] for r in expected["records"]], list(ds.station.values)
    for r in expected["records"]:
        s = ds.sel(station=r["id"])
        assert str(s.station_name.values) == r["name"], (s.station_name.values, r["name"])
        assert str(s.platform_type.values) == r["platform"]
        assert float(s.lon) == r["lon"] and float(s.lat) == r["lat"] and float(s.z) == r["z"]
        for name in expected["variables"]:
            want = np.full(len(times), np.nan)
            if name == r["variable"]:
                at = np.searchsorted(expected["times"], r["times"])
                want[at] = r["values"]
            got = s[name].values
            np.testing.assert_array_equal(got, want, err_msg=f"{r['id']} {name}")
            flags = s[f"{name}_qc"].values
            assert s[name].attrs["ancillary_variables"] == f"{name}_qc"
            np.testing.assert_array_equal(flags[np.isnan(want)], 9)
            if expected.get("flags") is None:
                np.testing.assert_array_equal(flags[~np.isnan(want)], 2)
            elif r["id"] in expected["flags"].get(name, {}):
                np.testing.assert_array_equal(flags, expected["flags"][name][r["id"]], err_msg=f"{r['id']} {name}_qc")
        assert ds[r["variable"]].attrs["units"] == expected["units"][r["variable"]]
    # Every store equals the first, whatever the input layout.
    for v in list(first.variables):
        np.testing.assert_array_equal(first[v].values, ds[v].values, err_msg=v)
print("ok")
