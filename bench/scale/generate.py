"""Synthetic model output at real size and layout, deterministic, for bench/scale.

CBOFS-like cycle: 48 hourly NetCDF-4 files (f001..f048 of the 2023-10-22 t00z forecast) on a
291x332 ROMS grid (eta_rho x xi_rho; u, v and psi grids beside it) with 20 s_rho / 21 s_w levels,
named as NODD names them (nos.cbofs.fields.fNNN.20231022.t00z.nc). Variables: the NOS CBOFS
fields-file list minus ROMS's run-parameter scalars (ntimes, dt, nl_visc2, ... which nothing reads),
see README.md. Written as ROMS writes them: float32 fields with _FillValue 1e37 on land, deflate
level 1 + shuffle on every variable, and the chunking netCDF-C 4.x (before 4.9) chooses when the
writer sets none, as ROMS does: 4 MiB chunks cut evenly, so temp is (1, 10, 146, 166), w/AK* on s_w
(1, 11, 146, 166), 2-D fields one step whole (nc4_chunks below; netCDF 4.9 here would write whole steps). The grid covers Chesapeake Bay: the shipped sample's lon/lat/h/mask
(samples/data/cbofs, from Natural Earth land) interpolated to 291x332, so the masks are real-ish.
Fields are smooth in space and time (tides, river plume, stratification, a weather system), so
compression ratios are like a model's, not like noise's.

RTOFS-like: rtofs_glo_2ds_fNNN_diag.nc, 4500x3298 (X x Y) 2-D fields ssh and
mixed_layer_thickness on a CURVILINEAR grid (2-D Latitude/Longitude like HYCOM's tripolar grid:
Mercator south of 47N, the two northern poles approximated by a smooth warp), land as _FillValue
1.267651e+30 from an analytic continent mask, MT in days since 1900-12-31, deflate 1 + shuffle,
default chunking.

Usage: /usr/bin/python3 bench/scale/generate.py [OUT=/tmp/dmac-scale] [--files 48] [--rtofs-steps 3]
                                                [--only cbofs|rtofs] [--jobs 2]
Writes OUT/cbofs/cbofs.20231022/ (48 files), OUT/cbofs-12/cbofs.20231022/ (symlinks to the first 12)
and OUT/rtofs/rtofs.20231022/: NODD's key layout, from which the ingest reads cycle and lead.
Files already there are kept (re-running is cheap; each is written to a temporary name and renamed,
so none is half-written); the output is byte-identical between runs with the same netCDF/HDF5.
"""
import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import netCDF4
import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "samples", "data", "cbofs", "cbofs.20231022", "nos.cbofs.fields.f001.20231022.t00z.nc")

ETA, XI, N = 291, 332, 20
FILL = np.float32(1e37)
# 2023-10-22T00:00Z in ROMS's units (seconds since 2016-01-01).
CYCLE_S = 246326400.0
CYCLE_DIR = "cbofs.20231022"
OMEGA_M2 = 2 * np.pi / 12.42  # per hour


def cbofs_grid():
    """Lon/lat/h/mask of the four ROMS grids, from the shipped sample interpolated to 291x332."""
    with netCDF4.Dataset(SAMPLE) as s:
        lon = np.asarray(s["lon_rho"][:], np.float64)
        lat = np.asarray(s["lat_rho"][:], np.float64)
        h = np.asarray(s["h"][:], np.float64)
        mask = np.asarray(s["mask_rho"][:], np.float64)
    se, sx = lon.shape
    ee, xx = np.meshgrid(np.linspace(0, se - 1, ETA), np.linspace(0, sx - 1, XI), indexing="ij")
    at = lambda a, order: ndimage.map_coordinates(a, [ee, xx], order=order, mode="nearest")
    g = {"lon_rho": at(lon, 1), "lat_rho": at(lat, 1)}
    # Smooth the coastline before thresholding so the 2.5x upsampling does not leave steps.
    g["mask_rho"] = (ndimage.gaussian_filter(at(mask, 1), 1.0) > 0.5).astype(np.float64)
    g["h"] = np.maximum(1.0, ndimage.gaussian_filter(at(h, 1), 2.0))
    avg_x = lambda a: 0.5 * (a[:, :-1] + a[:, 1:])
    avg_y = lambda a: 0.5 * (a[:-1, :] + a[1:, :])
    for n in ("lon", "lat"):
        g[f"{n}_u"], g[f"{n}_v"], g[f"{n}_psi"] = avg_x(g[f"{n}_rho"]), avg_y(g[f"{n}_rho"]), avg_y(avg_x(g[f"{n}_rho"]))
    m = g["mask_rho"]
    g["mask_u"], g["mask_v"] = m[:, :-1] * m[:, 1:], m[:-1, :] * m[1:, :]
    g["mask_psi"] = m[:-1, :-1] * m[1:, :-1] * m[:-1, 1:] * m[1:, 1:]
    lat_r = np.radians(g["lat_rho"])
    g["f"] = 2 * 7.2921e-5 * np.sin(lat_r)
    dx = np.gradient(g["lon_rho"], axis=1) * 111320.0 * np.cos(lat_r)
    dy = np.gradient(g["lat_rho"], axis=0) * 110540.0
    g["pm"], g["pn"] = 1.0 / np.abs(dx), 1.0 / np.abs(dy)
    g["angle"] = np.arctan2(np.gradient(g["lat_rho"], axis=1) * 110540.0, dx)
    return g


def stretching(n_levels, theta_s=8.0, theta_b=4.0):
    """ROMS Vstretching 4: s and C(s) at rho (n) and w (n+1) points."""
    def c_of(s):
        c = (1 - np.cosh(theta_s * s)) / (np.cosh(theta_s) - 1) if theta_s > 0 else -s**2
        return (np.exp(theta_b * c) - 1) / (1 - np.exp(-theta_b)) if theta_b > 0 else c
    s_w = np.linspace(-1.0, 0.0, n_levels + 1)
    s_r = (np.arange(n_levels) - n_levels + 0.5) / n_levels
    return s_r, c_of(s_r), s_w, c_of(s_w)


def smooth_noise(seed, shape, sigma):
    """A smooth random pattern in [-1, 1]: mesoscale structure that is not a pure analytic function."""
    a = ndimage.gaussian_filter(np.random.default_rng(seed).standard_normal(shape), sigma, mode="wrap")
    return a / np.abs(a).max()


ROMS_VARS = [
    # name, grid, vertical (None | "s_rho" | "s_w"), long_name, units
    ("zeta", "rho", None, "free-surface", "meter"),
    ("ubar", "u", None, "vertically integrated u-momentum component", "meter second-1"),
    ("vbar", "v", None, "vertically integrated v-momentum component", "meter second-1"),
    ("u", "u", "s_rho", "u-momentum component", "meter second-1"),
    ("v", "v", "s_rho", "v-momentum component", "meter second-1"),
    ("w", "rho", "s_w", "vertical momentum component", "meter second-1"),
    ("temp", "rho", "s_rho", "potential temperature", "Celsius"),
    ("salt", "rho", "s_rho", "salinity", None),
    ("AKv", "rho", "s_w", "vertical viscosity coefficient", "meter2 second-1"),
    ("AKt", "rho", "s_w", "temperature vertical diffusion coefficient", "meter2 second-1"),
    ("AKs", "rho", "s_w", "salinity vertical diffusion coefficient", "meter2 second-1"),
    ("Pair", "rho", None, "surface air pressure", "millibar"),
    ("Uwind", "rho", None, "surface u-wind component", "meter second-1"),
    ("Vwind", "rho", None, "surface v-wind component", "meter second-1"),
    ("sustr", "u", None, "surface u-momentum stress", "newton meter-2"),
    ("svstr", "v", None, "surface v-momentum stress", "newton meter-2"),
    ("shflux", "rho", None, "surface net heat flux", "watt meter-2"),
    ("ssflux", "rho", None, "surface net salt flux, (E-P)*SALT", "meter second-1"),
]
GRID_DIMS = {"rho": ("eta_rho", "xi_rho"), "u": ("eta_u", "xi_u"), "v": ("eta_v", "xi_v"), "psi": ("eta_psi", "xi_psi")}


def to_grid(a, grid):
    """A rho-point field moved to the u/v grid by averaging neighbours (last two axes)."""
    if grid == "u":
        return 0.5 * (a[..., :, :-1] + a[..., :, 1:])
    if grid == "v":
        return 0.5 * (a[..., :-1, :] + a[..., 1:, :])
    return a


class Physics:
    """Smooth synthetic fields on the rho grid for hour t of the cycle."""

    def __init__(self, g):
        self.g = g
        Y, X = np.meshgrid(np.linspace(0, 1, ETA), np.linspace(0, 1, XI), indexing="ij")
        # Distance from the bay mouth (south-east) in [0, 1]: the tide's phase and the plume follow it.
        self.along = np.clip(0.75 * Y + 0.45 * (1 - X), 0, 1)
        self.Y, self.X = Y, X
        self.s_r, self.cs_r, self.s_w, self.cs_w = stretching(N)
        self.n1 = smooth_noise(1, (ETA, XI), 8)
        self.n2 = smooth_noise(2, (ETA, XI), 5)
        self.n3 = smooth_noise(3, (ETA, XI), 12)
        self.depth = g["h"]

    def fields(self, hour):
        g, along, X, Y = self.g, self.along, self.X, self.Y
        ph = OMEGA_M2 * hour - 4.0 * along
        zeta = (0.35 + 0.25 * along) * np.cos(ph) + 0.05 * np.sin(2 * np.pi * hour / 24 + 3 * X) + 0.02 * self.n2
        # Tidal current: along-channel, strongest in the channels (deep water), lagging the height.
        speed = 0.6 * np.sqrt(self.depth / self.depth.max()) * np.sin(ph)
        ua, va = speed * (-0.45 + 0.15 * self.n1), speed * (0.75 + 0.15 * self.n3)
        zr = self.cs_r[:, None, None]  # -1 bottom .. 0 surface
        zw = self.cs_w[:, None, None]
        shear = (1 + 0.3 * zr) * (1 + zr) ** 0.15
        u3, v3 = ua[None] * shear, va[None] * shear
        # Two-layer estuary: fresher and warmer at the surface and up-bay, a plume that breathes with the tide.
        salt_surf = 31 * (1 - along) ** 1.3 + 1.5 * self.n1 + 0.8 * np.cos(ph)
        salt = np.clip(salt_surf[None] + 4 * (1 - along)[None] * (-zr) ** 0.7, 0, 36)
        temp_surf = 16 + 2.5 * Y - 1.5 * X + 0.6 * self.n2 + 0.4 * np.sin(2 * np.pi * (hour - 14) / 24)
        temp = temp_surf[None] - 3.5 * (-zr) ** 1.5 * (0.3 + along)[None]
        w = 1e-4 * np.sin(np.pi * (zw + 1)) * (self.n3 * np.cos(ph))[None]
        mix = np.exp(-((zw + 0.5) ** 2) / 0.08) * (1e-3 + 5e-3 * np.abs(speed))[None]
        akv = 1e-5 + mix
        akt = 1e-6 + 0.7 * mix
        aks = 1e-6 + 0.6 * mix
        # A low moving across the bay over the two days.
        cx, cy = -0.5 + hour / 32, 0.2 + hour / 96
        r2 = (X - cx) ** 2 + (Y - cy) ** 2
        pair = 1016 - 14 * np.exp(-r2 / 0.5) + 0.3 * self.n3
        uwind = 12 * (Y - cy) * np.exp(-r2 / 0.5) + 3 + self.n2
        vwind = -12 * (X - cx) * np.exp(-r2 / 0.5) + 1 + self.n1
        wind = np.hypot(uwind, vwind)
        return {
            "zeta": zeta, "ubar": to_grid(ua, "u"), "vbar": to_grid(va, "v"),
            "u": to_grid(u3, "u"), "v": to_grid(v3, "v"), "w": w, "temp": temp, "salt": salt,
            "AKv": akv, "AKt": akt, "AKs": aks, "Pair": pair, "Uwind": uwind, "Vwind": vwind,
            "sustr": to_grid(1.3e-3 * 1.2 * wind * uwind, "u"), "svstr": to_grid(1.3e-3 * 1.2 * wind * vwind, "v"),
            "shflux": 250 * np.sin(np.pi * np.clip((hour % 24 - 11) / 12, 0, 1)) - 80 + 20 * self.n1,
            "ssflux": 1e-7 * (salt_surf * (0.5 + self.n2)),
        }


def nc4_chunks(shape, itemsize):
    """netCDF-C 4.x's default chunk sizes (nc4_find_default_chunksizes2) for a variable whose first
    dimension is the unlimited one: 1 along it, the rest scaled to ~4 MiB then evened out."""
    default = 4194304
    fixed = shape[1:]
    n = int(np.prod(fixed))
    if n * itemsize <= default:
        return (1, *fixed)
    scale = (default / (n * itemsize)) ** (1.0 / len(fixed))
    chunks = []
    for d in fixed:
        c = max(1, min(d, int(scale * d - 0.5)))
        count = -(-d // c)
        chunks.append(c - ((count * c - d) // count))
    return (1, *chunks)


def write_cbofs_file(path, hour, g, physics):
    tmp = path + ".tmp"
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as ds:
        ds.setncatts({
            "file": os.path.basename(path), "format": "netCDF-4/HDF5 file", "Conventions": "CF-1.4, SGRID-0.3",
            "type": "ROMS/TOMS history file", "title": "CBOFS (synthetic, bench/scale/generate.py)",
            "var_info": "varinfo.dat", "rst_file": "nos.cbofs.rst.nowcast.20231022.t00z.nc",
            "grd_file": "nos_cbofs_grid.nc", "script_file": "nos.cbofs.forecast.20231022.t00z.in",
            "history": "synthetic: bench/scale/generate.py", "model": "ROMS",
        })
        for name, (de, dx) in GRID_DIMS.items():
            shape = g[f"lon_{name}"].shape
            ds.createDimension(de, shape[0])
            ds.createDimension(dx, shape[1])
        ds.createDimension("s_rho", N)
        ds.createDimension("s_w", N + 1)
        ds.createDimension("ocean_time", None)
        scalars = {"Vtransform": ("i4", 2, "vertical terrain-following transformation equation"),
                   "Vstretching": ("i4", 4, "vertical terrain-following stretching function"),
                   "theta_s": ("f8", 8.0, "S-coordinate surface control parameter"),
                   "theta_b": ("f8", 4.0, "S-coordinate bottom control parameter"),
                   "Tcline": ("f8", 5.0, "S-coordinate surface/bottom layer width"),
                   "hc": ("f8", 5.0, "S-coordinate parameter, critical depth")}
        for n, (dt, val, ln) in scalars.items():
            v = ds.createVariable(n, dt)
            v.long_name = ln
            if n in ("Tcline", "hc"):
                v.units = "meter"
            v.assignValue(val)
        p = physics
        for n, dim, vals, ln, std, formula in (
            ("s_rho", "s_rho", p.s_r, "S-coordinate at RHO-points", "ocean_s_coordinate_g2", "s: s_rho C: Cs_r eta: zeta depth: h depth_c: hc"),
            ("s_w", "s_w", p.s_w, "S-coordinate at W-points", "ocean_s_coordinate_g2", "s: s_w C: Cs_w eta: zeta depth: h depth_c: hc"),
            ("Cs_r", "s_rho", p.cs_r, "S-coordinate stretching curves at RHO-points", None, None),
            ("Cs_w", "s_w", p.cs_w, "S-coordinate stretching curves at W-points", None, None),
        ):
            v = ds.createVariable(n, "f8", (dim,), zlib=True, complevel=1, shuffle=True)
            v.long_name = ln
            if std:
                v.valid_min, v.valid_max, v.positive, v.standard_name, v.formula_terms = -1.0, 0.0, "up", std, formula
            v[:] = vals
        statics = [("h", "rho", "bathymetry at RHO-points", "meter", None), ("f", "rho", "Coriolis parameter at RHO-points", "second-1", None),
                   ("pm", "rho", "curvilinear coordinate metric in XI", "meter-1", None), ("pn", "rho", "curvilinear coordinate metric in ETA", "meter-1", None),
                   ("angle", "rho", "angle between XI-axis and EAST", "radians", None)]
        for grid in GRID_DIMS:
            statics += [(f"lon_{grid}", grid, f"longitude of {grid.upper()}-points", "degree_east", "longitude"),
                        (f"lat_{grid}", grid, f"latitude of {grid.upper()}-points", "degree_north", "latitude")]
        statics += [(f"mask_{grid}", grid, f"mask on {grid.upper()}-points", None, None) for grid in GRID_DIMS]
        for n, grid, ln, units, std in statics:
            v = ds.createVariable(n, "f8", GRID_DIMS[grid], zlib=True, complevel=1, shuffle=True)
            v.long_name = ln
            if units:
                v.units = units
            if std:
                v.standard_name = std
            if n.startswith("mask_"):
                v.flag_values = np.array([0.0, 1.0])
                v.flag_meanings = "land water"
            if not n.startswith(("lon_", "lat_")):
                v.coordinates = f"lon_{grid} lat_{grid}"
            v[:] = g[n]
        t = ds.createVariable("ocean_time", "f8", ("ocean_time",), zlib=True, complevel=1, shuffle=True)
        t.long_name = "time since initialization"
        t.units = "seconds since 2016-01-01 00:00:00"
        t.calendar = "gregorian"
        t.field = "time, scalar, series"
        t[:] = [CYCLE_S + 3600.0 * hour]
        values = physics.fields(hour)
        for n, grid, vert, ln, units in ROMS_VARS:
            dims = ("ocean_time", *((vert,) if vert else ()), *GRID_DIMS[grid])
            a = values[n].astype(np.float32)
            chunks = nc4_chunks((1, *a.shape), 4)
            v = ds.createVariable(n, "f4", dims, zlib=True, complevel=1, shuffle=True, fill_value=FILL, chunksizes=chunks)
            v.long_name = ln
            if units:
                v.units = units
            v.time = "ocean_time"
            v.grid = "grid"
            v.location = "face" if grid == "rho" else "edge1" if grid == "u" else "edge2"
            v.coordinates = f"lon_{grid} lat_{grid}{' ' + vert if vert else ''} ocean_time"
            v.field = f"{n}, scalar, series"
            a = np.where(g[f"mask_{grid}"] > 0, a, FILL)
            v[0] = a
    os.replace(tmp, path)


def cbofs_name(hour):
    return f"nos.cbofs.fields.f{hour:03d}.20231022.t00z.nc"


_state = {}


def _cbofs_worker(args):
    out, hour = args
    if "g" not in _state:
        _state["g"] = cbofs_grid()
        _state["p"] = Physics(_state["g"])
    path = os.path.join(out, cbofs_name(hour))
    if not os.path.exists(path):
        write_cbofs_file(path, hour, _state["g"], _state["p"])
    return os.path.getsize(path)


# ---------------------------------------------------------------- RTOFS-like
RX, RY = 4500, 3298
RFILL = np.float32(1.267651e30)


def rtofs_grid():
    """HYCOM-like curvilinear grid: 0.08 deg in longitude from 74.16E, Mercator latitude south of 47N
    (-78.6 at the first row), then rows evenly spaced in a warped coordinate up to the poles."""
    lon1 = 74.16 + 0.08 * np.arange(RX)
    # Mercator rows until 47N.
    dy = np.radians(0.08)
    y0 = np.log(np.tan(np.pi / 4 + np.radians(-78.6) / 2))
    lat_m = np.degrees(2 * np.arctan(np.exp(y0 + dy * np.arange(RY))) - np.pi / 2)
    n_merc = int(np.searchsorted(lat_m, 47.0))
    lat1 = lat_m.copy()
    # North of 47N: rows evenly towards 90 (the tripolar cap, approximated).
    lat1[n_merc:] = np.linspace(lat_m[n_merc], 89.9, RY - n_merc)
    lon = np.broadcast_to(lon1[None, :], (RY, RX)).astype(np.float64)
    lat = np.broadcast_to(lat1[:, None], (RY, RX)).astype(np.float64)
    # The cap's two poles (over Canada and Siberia): longitudes bend towards them and
    # latitudes sag with distance from the pole meridians, so rows and columns are not lines.
    cap = np.clip((lat1 - lat_m[n_merc]) / (89.9 - lat_m[n_merc]), 0, 1)[:, None]
    phase = np.radians(lon1 - 80.0)[None, :]
    lat = lat - 6.0 * cap**2 * np.abs(np.sin(phase))
    lon = lon + 12.0 * cap**2 * np.sin(2 * phase)
    lon = np.where(lon > 360, lon - 360, lon)
    return lon.astype(np.float32), lat.astype(np.float32)


def rtofs_land(lon, lat):
    """Analytic continents: a smooth low-frequency field on the sphere, thresholded (~30 % land)."""
    lo, la = np.radians(lon.astype(np.float64)), np.radians(lat.astype(np.float64))
    f = (np.sin(2 * lo + 0.5) * np.cos(la) ** 2 + 0.8 * np.sin(3 * lo - 1.0) * np.sin(2 * la)
         + 0.6 * np.cos(5 * lo + 2.0) * np.cos(3 * la) + 0.5 * np.sin(la * 4 + lo) + 0.3 * np.cos(7 * lo) * np.cos(la))
    land = f > 0.55
    land |= lat < -70  # Antarctica
    return land


def write_rtofs_file(path, step, lon, lat, land):
    tmp = path + ".tmp"
    lo, la = np.radians(lon.astype(np.float64)), np.radians(lat.astype(np.float64))
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as ds:
        ds.setncatts({"Conventions": "CF-1.0", "title": "HYCOM ATLb2.00 (synthetic, bench/scale/generate.py)",
                      "institution": "National Centers for Environmental Prediction", "source": "HYCOM archive file", "experiment": "92.8"})
        ds.createDimension("MT", None)
        ds.createDimension("Y", RY)
        ds.createDimension("X", RX)
        mt = ds.createVariable("MT", "f8", ("MT",))
        mt.long_name, mt.units, mt.calendar, mt.axis = "time", "days since 1900-12-31 00:00:00", "standard", "T"
        # 2023-10-22T00:00Z is day 45220 since 1900-12-31; one file per forecast hour.
        mt[:] = [45220.0 + step / 24.0]
        for n, units, std, data in (("Latitude", "degrees_north", "latitude", lat), ("Longitude", "degrees_east", "longitude", lon)):
            v = ds.createVariable(n, "f4", ("Y", "X"), zlib=True, complevel=1, shuffle=True)
            v.standard_name, v.units = std, units
            if n == "Longitude":
                v.modulo = "360 degrees"
            v[:] = data
        t = step / 24.0
        ssh = 0.6 * np.sin(3 * lo + 2 * la + 0.2 * t) * np.cos(la) + 0.25 * np.cos(9 * lo - 5 * la - t) * np.cos(la) ** 2 + 0.1 * np.sin(40 * lo) * np.sin(30 * la + t)
        mld = 40 + 30 * np.abs(np.sin(la)) + 15 * np.cos(6 * lo + t) * np.cos(la) + 8 * np.sin(25 * la - 17 * lo + 0.5 * t)
        for n, std, units, ln, data in (("ssh", "sea_surface_elevation", "m", " sea surface height", ssh),
                                        ("mixed_layer_thickness", None, "m", " mixed layer thickness", mld)):
            v = ds.createVariable(n, "f4", ("MT", "Y", "X"), zlib=True, complevel=1, shuffle=True, fill_value=RFILL)
            v.coordinates = "Longitude Latitude"
            if std:
                v.standard_name = std
            v.units, v.long_name = units, ln
            v[0] = np.where(land, RFILL, data.astype(np.float32))
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="/tmp/dmac-scale")
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--rtofs-steps", type=int, default=3)
    ap.add_argument("--only", choices=["cbofs", "rtofs"])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    repo = os.path.abspath(os.path.join(HERE, "..", ".."))
    if out == repo or out.startswith(repo + os.sep):
        sys.exit(f"{out}: inside the repository; give a directory outside it (default /tmp/dmac-scale)")
    t0 = time.perf_counter()
    if args.only in (None, "cbofs"):
        # NODD's older key layout (cbofs.YYYYMMDD/nos.cbofs...): the ingest reads cycle and lead from it.
        cdir, c12 = os.path.join(out, "cbofs", CYCLE_DIR), os.path.join(out, "cbofs-12", CYCLE_DIR)
        os.makedirs(cdir, exist_ok=True)
        os.makedirs(c12, exist_ok=True)
        with ProcessPoolExecutor(args.jobs) as pool:
            sizes = list(pool.map(_cbofs_worker, [(cdir, h) for h in range(1, args.files + 1)]))
        for h in range(1, min(12, args.files) + 1):
            link = os.path.join(c12, cbofs_name(h))
            if not os.path.lexists(link):
                os.symlink(os.path.join("..", "..", "cbofs", CYCLE_DIR, cbofs_name(h)), link)
        print(f"cbofs: {len(sizes)} files, {sum(sizes) / 1e6:.0f} MB on disk in {cdir} (first 12 in {c12}); {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.only in (None, "rtofs"):
        t1 = time.perf_counter()
        rdir = os.path.join(out, "rtofs", "rtofs.20231022")
        os.makedirs(rdir, exist_ok=True)
        paths = [os.path.join(rdir, f"rtofs_glo_2ds_f{step:03d}_diag.nc") for step in range(1, args.rtofs_steps + 1)]
        # The grid and its land take seconds to compute: only when a file is missing.
        if not all(os.path.exists(p) for p in paths):
            lon, lat = rtofs_grid()
            land = rtofs_land(lon, lat)
            for step, path in enumerate(paths, start=1):
                if not os.path.exists(path):
                    write_rtofs_file(path, step, lon, lat, land)
        total = sum(os.path.getsize(p) for p in paths)
        print(f"rtofs: {len(paths)} files, {total / 1e6:.0f} MB on disk in {rdir}; {time.perf_counter() - t1:.0f} s", file=sys.stderr)
    print(out)


if __name__ == "__main__":
    main()
