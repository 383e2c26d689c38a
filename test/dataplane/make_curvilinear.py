"""A ROMS-like NetCDF-4 file of any size for the overview and chunking tests (netCDF4-python).

Curvilinear rho and u grids (2-D lon/lat that are not a product of 1-D axes), land masks whose
land cells hold a finite 0 (so a mean that ignores the mask is wrong), NaN and explicit _FillValue
cells in the water, packed `salt` (short, scale_factor/add_offset, _FillValue), s-levels.
Values depend on the cell, the time and `seed` (a forecast cycle), so a replaced step shows.

usage: make_curvilinear.py '{"path": "...", "ny": 37, "nx": 45, "ns": 2, "times": [3600.0], "seed": 0,
                             "lonOffset": 0.0, "wrap360": false}'
"""
import json
import sys

import netCDF4
import numpy as np

spec = json.loads(sys.argv[1])
ny, nx, ns, seed = spec["ny"], spec["nx"], spec.get("ns", 2), spec.get("seed", 0)
times = spec["times"]

j, i = np.mgrid[0:ny, 0:nx].astype("f8")
lon = -76.5 + 0.01 * i + 0.002 * j + 0.0003 * np.sin(j) + spec.get("lonOffset", 0.0)
lat = 37.0 + 0.008 * j + 0.001 * i
# Land: a coast along the west and a round island; both grids take theirs from rho as ROMS does.
mask_rho = np.ones((ny, nx))
mask_rho[:, : max(1, nx // 7)] = 0
mask_rho[((j - ny / 2) ** 2 + (i - nx / 2) ** 2) < (min(nx, ny) / 6) ** 2] = 0
mask_rho[0 : ny // 3, 0 : nx // 3 + 1] = 0
mask_u = mask_rho[:, :-1] * mask_rho[:, 1:]
lon_u, lat_u = 0.5 * (lon[:, :-1] + lon[:, 1:]), 0.5 * (lat[:, :-1] + lat[:, 1:])
if spec.get("wrap360"):
    # Longitudes in [0, 360) as RTOFS stores them: a grid across 0/360 jumps by 360 along its rows.
    lon, lon_u = np.mod(lon, 360), np.mod(lon_u, 360)

ds = netCDF4.Dataset(spec["path"], "w", format="NETCDF4")
ds.title = "ROMS-like test grid"
ds.Conventions = "CF-1.4, SGRID-0.3"
ds.createDimension("ocean_time", None)
ds.createDimension("s_rho", ns)
ds.createDimension("eta_rho", ny)
ds.createDimension("xi_rho", nx)
ds.createDimension("eta_u", ny)
ds.createDimension("xi_u", nx - 1)


def var(name, dtype, dims, **attrs):
    fill = attrs.pop("_FillValue", None)
    chunks = [1 if d == "ocean_time" else len(ds.dimensions[d]) for d in dims] if dims else None
    v = ds.createVariable(name, dtype, dims, zlib=True, complevel=1, shuffle=True, fill_value=fill, chunksizes=chunks)
    for k, a in attrs.items():
        v.setncattr(k, a)
    return v


var("ocean_time", "f8", ("ocean_time",), units="seconds since 2016-01-01 00:00:00", calendar="gregorian", long_name="time since initialization")[:] = times
var("s_rho", "f8", ("s_rho",), long_name="S-coordinate at RHO-points", positive="up")[:] = -1 + (np.arange(ns) + 0.5) / ns
var("hc", "f8", (), units="meter")[...] = 5.0
var("lon_rho", "f8", ("eta_rho", "xi_rho"), units="degree_east", standard_name="longitude")[:] = lon
var("lat_rho", "f8", ("eta_rho", "xi_rho"), units="degree_north", standard_name="latitude")[:] = lat
var("mask_rho", "f8", ("eta_rho", "xi_rho"), flag_values=np.array([0.0, 1.0]), flag_meanings="land water")[:] = mask_rho
var("lon_u", "f8", ("eta_u", "xi_u"), units="degree_east", standard_name="longitude")[:] = lon_u
var("lat_u", "f8", ("eta_u", "xi_u"), units="degree_north", standard_name="latitude")[:] = lat_u
var("mask_u", "f8", ("eta_u", "xi_u"), flag_values=np.array([0.0, 1.0]), flag_meanings="land water")[:] = mask_u
h = 5 + 0.3 * i + 0.2 * j
var("h", "f8", ("eta_rho", "xi_rho"), units="meter", coordinates="lon_rho lat_rho")[:] = h
zeta = var("zeta", "f4", ("ocean_time", "eta_rho", "xi_rho"), _FillValue=np.float32(1e37), units="meter", coordinates="lon_rho lat_rho ocean_time")
temp = var("temp", "f4", ("ocean_time", "s_rho", "eta_rho", "xi_rho"), _FillValue=np.float32(1e37), units="Celsius", coordinates="lon_rho lat_rho s_rho ocean_time")
salt = var("salt", "i2", ("ocean_time", "s_rho", "eta_rho", "xi_rho"), _FillValue=np.int16(-32767), scale_factor=np.float32(0.001), add_offset=np.float32(20.0), coordinates="lon_rho lat_rho s_rho ocean_time")
u = var("u", "f4", ("ocean_time", "s_rho", "eta_u", "xi_u"), _FillValue=np.float32(1e37), units="meter second-1", coordinates="lon_u lat_u s_rho ocean_time")
# Write raw numbers: the packed salt as its stored shorts, land as a finite 0 (not missing).
for v in (zeta, temp, salt, u):
    v.set_auto_maskandscale(False)
for n, t in enumerate(times):
    hours = t / 3600.0
    z = (0.01 * i - 0.02 * j + 0.3 * np.sin(hours / 3 + i / 5) + 0.01 * (seed % 7)).astype("f4")
    z[mask_rho == 0] = 0
    z[(j.astype(int) * 7 + i.astype(int) * 3 + n) % 29 == 0] = np.nan
    z[(j.astype(int) * 5 + i.astype(int)) % 31 == 0] = np.float32(1e37)
    zeta[n] = z
    for s in range(ns):
        tt = (15 + s + 0.05 * i + 0.03 * j * np.cos(hours / 5) + 0.1 * seed).astype("f4")
        tt[mask_rho == 0] = 0
        tt[(j.astype(int) + i.astype(int) * 2 + s) % 23 == 0] = np.nan
        temp[n, s] = tt
        sa = np.round(10000 + 100 * s + 7 * i + 3 * j + hours % 50 + seed).astype("i2")
        sa[mask_rho == 0] = 0
        sa[(j.astype(int) * 3 + i.astype(int)) % 19 == 0] = -32767
        salt[n, s] = sa
        uu = (0.1 * np.sin(i[:, :-1] / 4 + hours) + 0.01 * s + 0.02 * seed).astype("f4")
        uu[mask_u == 0] = 0
        u[n, s] = uu
ds.close()
