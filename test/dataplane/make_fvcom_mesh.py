"""An FVCOM-like NetCDF-4 file on a given triangle mesh, for the mesh overview tests (netCDF4-python).

usage: make_fvcom_mesh.py SPEC.json, with {"path", "lon", "lat", "triangles" (0-based, three per
triangle), "times" (days since 1858-11-17, MJD as FVCOM writes it), "seed"}.
Node-centred zeta(time, node) with NaN and _FillValue cells, temp(time, siglay, node), static h(node)
and siglay(siglay, node); element-centred u(time, siglay, nele) (no overview: not node-centred);
nv(three, nele) 1-based as FVCOM writes it.
"""
import json
import sys

import netCDF4
import numpy as np

with open(sys.argv[1]) as f:
    spec = json.load(f)
lon = np.array(spec["lon"], "f4")
lat = np.array(spec["lat"], "f4")
tri = np.array(spec["triangles"], "i4").reshape(-1, 3)
n, m, seed = lon.size, tri.shape[0], spec.get("seed", 0)
ds = netCDF4.Dataset(spec["path"], "w", format="NETCDF4")
ds.title = "FVCOM-like test mesh"
for name, size in (("nele", m), ("node", n), ("siglay", 2), ("three", 3), ("time", None)):
    ds.createDimension(name, size)


def var(name, dtype, dims, fill=None, **attrs):
    v = ds.createVariable(name, dtype, dims, zlib=True, complevel=1, fill_value=fill)
    for k, a in attrs.items():
        v.setncattr(k, a)
    return v


var("lon", "f4", ("node",), standard_name="longitude", units="degrees_east")[:] = lon
var("lat", "f4", ("node",), standard_name="latitude", units="degrees_north")[:] = lat
lonc = lon[tri].mean(axis=1)
latc = lat[tri].mean(axis=1)
var("lonc", "f4", ("nele",), standard_name="longitude", units="degrees_east")[:] = lonc
var("latc", "f4", ("nele",), standard_name="latitude", units="degrees_north")[:] = latc
var("nv", "i4", ("three", "nele"), long_name="nodes surrounding element")[:] = tri.T + 1
var("h", "f4", ("node",), units="m", coordinates="lat lon")[:] = 5 + 100 * (lat - lat.min())
sig = var("siglay", "f4", ("siglay", "node"), standard_name="ocean_sigma_coordinate", positive="up")
sig[:] = np.array([[-0.25], [-0.75]]) * np.ones((1, n))
var("time", "f4", ("time",), units="days since 1858-11-17 00:00:00", format="modified julian day (MJD)", time_zone="UTC")[:] = spec["times"]
zeta = var("zeta", "f4", ("time", "node"), fill=np.float32(9.96921e36), units="meters", coordinates="lat lon time")
temp = var("temp", "f4", ("time", "siglay", "node"), fill=np.float32(9.96921e36), units="degrees_C", coordinates="lat lon time siglay")
u = var("u", "f4", ("time", "siglay", "nele"), fill=np.float32(9.96921e36), units="meters s-1", coordinates="latc lonc time siglay")
for v in (zeta, temp, u):
    v.set_auto_maskandscale(False)
idx = np.arange(n)
for k, t in enumerate(spec["times"]):
    z = (0.3 * np.sin(lon * 40 + t * 5) + 0.1 * lat + 0.01 * seed).astype("f4")
    z[idx % 37 == k] = np.nan
    z[idx % 41 == 3] = np.float32(9.96921e36)
    zeta[k] = z
    for s in range(2):
        temp[k, s] = (20 + s + 3 * np.cos(lat * 30) + 0.1 * t).astype("f4")
        u[k, s] = (0.1 * np.sin(lonc * 50 + t) + s).astype("f4")
ds.close()
