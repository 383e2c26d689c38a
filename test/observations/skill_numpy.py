"""The model-vs-observation comparison computed independently with numpy/xarray: nearest wet
cell by great-circle distance, the model linearly interpolated (np.interp) to the observation
times inside its axis (or the nearest step within half the step), observations flagged 4 left
out, then bias, RMSE, Pearson correlation and Willmott skill. Prints JSON.
argv: station_store station_id variable model_store model_variable method"""
import json
import sys

import numpy as np
import xarray as xr

obs_store, station, variable, model_store, model_variable, method = sys.argv[1:7]
obs = xr.open_zarr(obs_store, consolidated=True).sel(station=station)
model = xr.open_zarr(model_store, consolidated=True)
lon0, lat0 = float(obs.lon), float(obs.lat)

lon = model.lon_rho.values.ravel()
lat = model.lat_rho.values.ravel()
wet = model.mask_rho.values.ravel() != 0
r = np.pi / 180
cos_d = np.sin(lat * r) * np.sin(lat0 * r) + np.cos(lat * r) * np.cos(lat0 * r) * np.cos((lon - lon0) * r)
cos_d[~wet] = -2
cell = int(np.argmax(cos_d))
series = model[model_variable].values.reshape(model[model_variable].shape[0], -1)[:, cell].astype(np.float64)
mt = model.ocean_time.values.astype("datetime64[ms]").astype(np.int64).astype(np.float64)

ot = obs.time.values.astype("datetime64[ms]").astype(np.int64).astype(np.float64)
ov = obs[variable].values.astype(np.float64)
flags = obs[f"{variable}_qc"].values
keep = ~np.isnan(ov) & (flags != 4)
ot, ov = ot[keep], ov[keep]
if method == "interpolate":
    inside = (ot >= mt[0]) & (ot <= mt[-1])
    ot, ov = ot[inside], ov[inside]
    mv = np.interp(ot, mt, series)
else:
    half = np.median(np.diff(mt)) / 2
    idx = np.abs(ot[:, None] - mt[None, :]).argmin(axis=1)
    near = np.abs(mt[idx] - ot) <= half
    ot, ov, mv = ot[near], ov[near], series[idx[near]]
ok = ~np.isnan(mv)
ot, ov, mv = ot[ok], ov[ok], mv[ok]
d = mv - ov
mo = ov.mean()
print(json.dumps({
    "cell": cell, "cell_lon": float(lon[cell]), "cell_lat": float(lat[cell]),
    "times": [int(t) for t in ot], "observed": ov.tolist(), "model": mv.tolist(),
    "n": int(len(ov)), "bias": float(d.mean()), "rmse": float(np.sqrt((d ** 2).mean())),
    "correlation": float(np.corrcoef(ov, mv)[0, 1]),
    "willmott": float(1 - (d ** 2).sum() / ((np.abs(mv - mo) + np.abs(ov - mo)) ** 2).sum()),
}))
