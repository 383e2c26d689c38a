"""Whether a derived store's variables equal the source's as xarray decodes them (values, dims,
time coordinate), and the Zarr chunks of each. Usage: same_values.py JSON {source, derived, variables}."""
import json
import sys

import xarray as xr
import zarr

spec = json.loads(sys.argv[1])
src = xr.open_zarr(spec["source"], consolidated=True)
out = xr.open_zarr(spec["derived"], consolidated=True)
group = zarr.open_consolidated(spec["derived"], mode="r")
detail = []
for name in spec["variables"]:
    try:
        xr.testing.assert_equal(out[name].reset_coords(drop=True), src[name].reset_coords(drop=True))
    except AssertionError as error:
        detail.append(f"{name}: {error}")
print(json.dumps({"detail": "; ".join(detail), "chunks": {name: list(group[name].chunks) for name in spec["variables"]}}))
