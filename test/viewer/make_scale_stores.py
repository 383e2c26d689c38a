"""Writes the viewer budget test's Zarr v2 stores with Debian's zarr (python3-zarr):

- ``rtofs <path> <steps>``: an RTOFS-like global field, 4500 x 3298 (dims MT, Y, X), 2-D
  Longitude/Latitude on a Mercator grid (rectilinear, 74..434 degrees east as RTOFS writes them),
  land as NaN, float32 in 512 x 512 chunks (zlib 1, as our ingest writes), with the overview levels
  of issue #21 (/work/coord/issue21.md: groups ``overviews/1..4``, block means of the finite
  level-0 cells, coordinates as block means of all cells, the root ``multiscales`` layout with
  ``dmac:shape``), so the test does not depend on the ingest's overview writer.
- ``cbofs <path> <steps>``: a CBOFS-size ROMS field, 291 x 332 x 20 s-levels (ocean_time, s_rho,
  eta_rho, xi_rho), rotated curvilinear lon_rho/lat_rho with mask_rho, temp/salt chunked one step
  (1, 20, 291, 332) as the ingest's default chunking writes them; no overviews (its longest side is
  under 512 cells).

Usage: make_scale_stores.py rtofs|cbofs <store path> <time steps>
"""
import sys

import numcodecs
import numpy as np
import zarr

ZLIB = numcodecs.Zlib(level=1)
MULTISCALES_CONVENTION = {
    "uuid": "d35379db-88df-4056-af3a-620245f8e347",
    "schema_url": "https://raw.githubusercontent.com/zarr-conventions/multiscales/refs/tags/v0.1.0/schema.json",
    "spec_url": "https://github.com/zarr-conventions/multiscales/blob/v0.1.0/README.md",
    "name": "multiscales",
    "description": "Multiscale layout of zarr datasets",
}


def array(group, name, data, dims, chunks, attrs, fill=None):
    a = group.create_dataset(name, data=data, chunks=chunks, compressor=ZLIB, fill_value=fill, overwrite=True)
    a.attrs.update({"_ARRAY_DIMENSIONS": list(dims), **attrs})
    return a


def block_mean(values, f):
    """Mean of the finite values in each f x f block (clipped at the edges); NaN where none."""
    ny, nx = values.shape
    py, px = -ny % f, -nx % f
    finite = np.isfinite(values)
    s = np.pad(np.where(finite, values, 0.0), ((0, py), (0, px)))
    c = np.pad(finite, ((0, py), (0, px))).astype(np.int64)
    shape = ((ny + py) // f, f, (nx + px) // f, f)
    s = s.reshape(shape).sum(axis=(1, 3))
    c = c.reshape(shape).sum(axis=(1, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def rtofs(path, steps):
    ny, nx, chunk = 3298, 4500, 512
    dlon = 360.0 / nx
    lon1 = 74.16 + dlon * np.arange(nx)
    # Mercator: equal steps of the isometric latitude, from 78 S.
    y0 = np.arcsinh(np.tan(np.radians(-78.0)))
    lat1 = np.degrees(np.arctan(np.sinh(y0 + np.radians(dlon) * np.arange(ny))))
    lon = np.broadcast_to(lon1[None, :], (ny, nx)).astype("float32")
    lat = np.broadcast_to(lat1[:, None], (ny, nx)).astype("float32")
    lr = np.radians(lon1)[None, :]
    pr = np.radians(lat1)[:, None]
    land = (np.sin(lr * 3.0) * np.cos(pr * 2.5) + 0.35 * np.sin(lr * 11.0 + pr * 7.0)) > 0.75
    root = zarr.open_group(path, mode="w")
    days = 45000.0 + np.arange(steps) / 8.0
    time_attrs = {"units": "days since 1900-12-31 00:00:00", "calendar": "standard", "long_name": "time", "axis": "T"}
    lon_attrs = {"units": "degrees_east", "standard_name": "longitude"}
    lat_attrs = {"units": "degrees_north", "standard_name": "latitude"}
    ssh_attrs = {"units": "m", "long_name": "sea surface height", "standard_name": "sea_surface_height_above_geoid", "coordinates": "Longitude Latitude"}
    levels = []
    arrays = []
    k = 0
    size = (ny, nx)
    while True:
        group = root if k == 0 else root.require_group("overviews/%d" % k)
        f = 2**k
        lny, lnx = size
        array(group, "MT", days, ["MT"], (steps,), time_attrs)
        if k == 0:
            glon, glat = lon, lat
        else:
            glon = block_mean(lon.astype("float64"), f).astype("float32")
            glat = block_mean(lat.astype("float64"), f).astype("float32")
        ch = (min(chunk, lny), min(chunk, lnx))
        array(group, "Longitude", glon, ["Y", "X"], ch, lon_attrs)
        array(group, "Latitude", glat, ["Y", "X"], ch, lat_attrs)
        attrs = dict(ssh_attrs)
        if k > 0:
            attrs["cell_methods"] = "Y: X: mean (blocks of %d x %d level-0 cells, land excluded)" % (f, f)
        ssh = group.create_dataset("ssh", shape=(steps, lny, lnx), chunks=(1,) + ch, dtype="float32", compressor=ZLIB, fill_value=np.nan, overwrite=True)
        ssh.attrs.update({"_ARRAY_DIMENSIONS": ["MT", "Y", "X"], **attrs})
        arrays.append((f, ssh))
        entry = {"asset": "." if k == 0 else "overviews/%d" % k, "transform": {"scale": [1.0, 1.0] if k == 0 else [2.0, 2.0]}, "dmac:shape": {"Y": lny, "X": lnx}}
        if k > 0:
            entry["derived_from"] = "." if k == 1 else "overviews/%d" % (k - 1)
            entry["transform"]["translation"] = [0.0, 0.0]
        levels.append(entry)
        if max(size) <= 512:
            break
        k += 1
        size = (-(-ny // 2**k), -(-nx // 2**k))
    for t in range(steps):
        v = 0.6 * np.sin(lr * 2.0 + 0.4 * t) * np.cos(pr * 1.5) + 0.15 * np.sin(lr * 40.0 - 0.2 * t) * np.cos(pr * 33.0)
        v = np.where(land, np.nan, v)
        for f, ssh in arrays:
            ssh[t] = (v if f == 1 else block_mean(v, f)).astype("float32")
    root.attrs.update({
        "title": "RTOFS-like global field %d x %d with overviews" % (nx, ny),
        "zarr_conventions": [MULTISCALES_CONVENTION],
        "multiscales": {"resampling_method": "mean", "layout": levels},
    })
    zarr.consolidate_metadata(path)


def cbofs(path, steps):
    ny, nx, nz = 291, 332, 20
    j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    a = np.radians(20.0)
    lon = -77.3 + 0.006 * i * np.cos(a) - 0.006 * j * np.sin(a)
    lat = 36.7 + 0.006 * i * np.sin(a) + 0.006 * j * np.cos(a)
    mask = ((np.sin(i / 23.0) + np.cos(j / 31.0)) < 1.2).astype("float64")
    s = -1.0 + (np.arange(nz) + 0.5) / nz
    root = zarr.open_group(path, mode="w")
    array(root, "ocean_time", 3600.0 * np.arange(steps), ["ocean_time"], (steps,), {"units": "seconds since 2023-10-22 00:00:00", "calendar": "gregorian"})
    array(root, "s_rho", s, ["s_rho"], (nz,), {"long_name": "S-coordinate at RHO-points", "positive": "up"})
    array(root, "lon_rho", lon, ["eta_rho", "xi_rho"], (ny, nx), {"units": "degree_east", "standard_name": "longitude"})
    array(root, "lat_rho", lat, ["eta_rho", "xi_rho"], (ny, nx), {"units": "degree_north", "standard_name": "latitude"})
    array(root, "mask_rho", mask, ["eta_rho", "xi_rho"], (ny, nx), {"flag_meanings": "land water"})
    for name, units, base in (("temp", "Celsius", 15.0), ("salt", "PSU", 20.0)):
        v = root.create_dataset(name, shape=(steps, nz, ny, nx), chunks=(1, nz, ny, nx), dtype="float32", compressor=ZLIB, fill_value=np.float32(1e37), overwrite=True)
        v.attrs.update({"_ARRAY_DIMENSIONS": ["ocean_time", "s_rho", "eta_rho", "xi_rho"], "units": units, "long_name": name, "coordinates": "lon_rho lat_rho", "_FillValue": 1e37})
        for t in range(steps):
            field = base + 3.0 * np.sin(i / 30.0 + 0.3 * t)[None] * np.cos(j / 45.0)[None] + 2.0 * s[:, None, None]
            v[t] = np.where(mask[None] == 1, field, 1e37).astype("float32")
    root.attrs.update({"title": "CBOFS-size ROMS field %d x %d x %d" % (ny, nx, nz)})
    zarr.consolidate_metadata(path)


def main():
    kind, path, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"rtofs": rtofs, "cbofs": cbofs}[kind](path, steps)


if __name__ == "__main__":
    main()
