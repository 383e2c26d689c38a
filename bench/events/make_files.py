# Sample-sized CBOFS files for bench/events: copies of the shipped sample
# samples/data/cbofs/cbofs.20231022/nos.cbofs.fields.f001.20231022.t00z.nc (40 x 60 x 3, about 340 KB)
# with ocean_time moved one hour per lead, so that each file is one new time step of the aggregation.
# Run with Debian's python3 (netCDF4):  /usr/bin/python3 bench/events/make_files.py <out-dir> <count>
import os
import shutil
import sys

import netCDF4

out, count = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
sample = os.path.join(here, "..", "..", "samples", "data", "cbofs", "cbofs.20231022", "nos.cbofs.fields.f001.20231022.t00z.nc")
os.makedirs(out, exist_ok=True)
for lead in range(1, count + 1):
    path = os.path.join(out, f"nos.cbofs.fields.f{lead:03d}.20231022.t00z.nc")
    shutil.copyfile(sample, path)
    with netCDF4.Dataset(path, "r+") as ds:
        ds.variables["ocean_time"][0] = ds.variables["ocean_time"][0] + (lead - 1) * 3600.0
print(out)
