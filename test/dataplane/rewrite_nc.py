"""Writes a NetCDF-4 file that xarray builds from other NetCDF files, for reference tests.

Usage: rewrite_nc.py '<json>' with {"sources": [paths], "out": path, "concatDim": dim,
"timeChunk": n (chunk length along concatDim for every variable on it),
"fletcher32": [variable names to store with the fletcher32 checksum filter],
"add": [{"variable", "index": [i, j, ...], "value"}] raw values added at an index (injected faults)}.
The sources are concatenated along concatDim (one file of several steps when there are several).
"""
import json
import sys

import xarray as xr


def main() -> None:
    spec = json.loads(sys.argv[1])
    dim = spec["concatDim"]
    parts = [xr.open_dataset(p, decode_cf=False) for p in spec["sources"]]
    ds = xr.concat(parts, dim=dim, data_vars="minimal", coords="minimal", compat="override", combine_attrs="override")
    for fault in spec.get("add", []):
        var = ds[fault["variable"]]
        var[tuple(fault["index"])] = var.values[tuple(fault["index"])] + fault["value"]
    encoding = {}
    for name, var in ds.variables.items():
        enc = {k: v for k, v in parts[0][name].encoding.items() if k in ("zlib", "shuffle", "complevel")}
        if "_FillValue" not in var.attrs:
            # xarray would add _FillValue = NaN to floats; keep the source's "no fill value".
            enc["_FillValue"] = None
        if var.dims and var.dims[0] == dim:
            enc["chunksizes"] = (spec.get("timeChunk", 1),) + tuple(var.shape[1:])
        if name in spec.get("fletcher32", []):
            enc["fletcher32"] = True
            enc.setdefault("chunksizes", tuple(var.shape))
        encoding[name] = enc
    ds.to_netcdf(spec["out"], format="NETCDF4", engine="netcdf4", encoding=encoding, unlimited_dims=[dim])


if __name__ == "__main__":
    main()
