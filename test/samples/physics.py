"""Reads the shipped samples (samples/data) with xarray and prints, as JSON, what
test/samples/samples.test.ts checks: grid sizes, the mask against Natural Earth (given as a list of
land flags computed by the test), and the physics at named places over the 12 hourly steps.

Usage: physics.py <samples/data>
"""
import glob
import json
import sys

import numpy as np
import xarray as xr


def series(files, time, drop=()):
    # FVCOM's siglay(siglay, node) is named like its first dimension: xarray refuses it unless dropped.
    ds = xr.concat([xr.open_dataset(f, decode_times=False, drop_variables=list(drop)) for f in files], dim=time, data_vars="minimal", coords="minimal", compat="override")
    return ds.sortby(time)


def m2_phase_hours(t_hours, z):
    """Hours after t=0 of the M2 crest, from a least-squares fit of a mean + cos + sin."""
    w = 2 * np.pi / 12.42
    a = np.column_stack([np.ones_like(t_hours), np.cos(w * t_hours), np.sin(w * t_hours)])
    c, *_ = np.linalg.lstsq(a, z, rcond=None)
    return float((np.arctan2(c[2], c[1]) / w) % 12.42), float(np.hypot(c[1], c[2]))


def main():
    root = sys.argv[1]
    out = {}
    # CBOFS best forecast: the 06z cycle's files win from 07z on; here one file per valid time.
    files = sorted(glob.glob(f"{root}/cbofs/*/*.t00z.nc")) + sorted(glob.glob(f"{root}/cbofs/*/*.t06z.nc"))
    ds = series(files, "ocean_time")
    lon, lat, mask = ds.lon_rho.values, ds.lat_rho.values, ds.mask_rho.values
    t = (ds.ocean_time.values - ds.ocean_time.values[0]) / 3600.0
    out["cbofs"] = {"shape": list(mask.shape), "times": len(t), "lon": lon.ravel().tolist(), "lat": lat.ravel().tolist(), "mask": mask.ravel().astype(int).tolist(), "places": {}}
    places = {"ocean": (-75.3, 37.0), "mouth": (-76.0, 37.0), "mid": (-76.35, 38.3), "head": (-76.05, 39.4)}
    for name, (x, y) in places.items():
        d = np.where(mask == 1, (lon - x) ** 2 + (lat - y) ** 2, np.inf)
        j, i = np.unravel_index(np.argmin(d), d.shape)
        z = ds.zeta.values[:, j, i]
        phase, amp = m2_phase_hours(t, z)
        # Along-bay velocity at the v point north of the cell (eta is roughly northward).
        v = ds.v.values[:, -1, min(j, ds.v.shape[2] - 1), i]
        out["cbofs"]["places"][name] = {
            "phase": phase,
            "amplitude": amp,
            "salt_surface": float(np.mean(ds.salt.values[:, -1, j, i])),
            "salt_bottom": float(np.mean(ds.salt.values[:, 0, j, i])),
            "temp_surface": ds.temp.values[:, -1, j, i].tolist(),
            "corr_zeta_v": float(np.corrcoef(z, v)[0, 1]) if np.std(v) > 0 else 0.0,
            "speed": float(np.nanmax(np.abs(v))),
        }
    # NGOFS2 nowcast: 12 steps.
    files = sorted(glob.glob(f"{root}/ngofs2/*/*.nc"))
    ng = series(files, "time", drop=("siglay", "siglev"))
    out["ngofs2"] = {
        "nodes": int(ng.sizes["node"]),
        "elements": int(ng.sizes["nele"]),
        "times": int(ng.sizes["time"]),
        "nv_min": int(ng.nv.min()),
        "nv_max": int(ng.nv.max()),
        "lonc": ng.lonc.values.tolist(),
        "latc": ng.latc.values.tolist(),
        "zeta": [float(ng.zeta.min()), float(ng.zeta.max())],
        "temp_surface": [float(ng.temp.isel(siglay=0).min()), float(ng.temp.isel(siglay=0).max())],
        "u": [float(ng.u.min()), float(ng.u.max())],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
