"""Executes a notebook top to bottom with nbclient (Debian's python3-nbclient, the python3 kernel
of python3-ipykernel) in the notebook's own folder, and prints, as JSON, what the test checks:
the cells that raised (with the error), what the cells printed, and for every PNG output its size
and how much of it is not blank (matplotlib decodes the PNG).

Usage: run_notebook.py <notebook.ipynb> <executed copy.ipynb>
The notebook reads DMAC_API_BASE / DMAC_STORAGE_OPTIONS from the environment.
"""
import base64
import io
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402


def png_stats(data):
    raw = base64.b64decode(data)
    pixels = mpimg.imread(io.BytesIO(raw), format="png")
    rgb = (pixels[..., :3] * 255).round().astype(np.uint8).reshape(-1, 3)
    background = np.array([255, 255, 255], dtype=np.uint8)
    colours = np.unique(rgb, axis=0)
    return {
        "bytes": len(raw),
        "width": int(pixels.shape[1]),
        "height": int(pixels.shape[0]),
        "colours": int(len(colours)),
        "nonWhite": float(np.mean(np.any(rgb != background, axis=1))),
    }


def main():
    path, out = sys.argv[1], sys.argv[2]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = str(e)[-4000:]
    nbformat.write(nb, out)
    errors = []
    pngs = []
    text = []
    for k, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                text.append(output.get("text", ""))
            if output.get("output_type") == "error":
                errors.append({"cell": k, "ename": output.get("ename"), "evalue": output.get("evalue")})
            png = output.get("data", {}).get("image/png")
            if png is not None:
                pngs.append({"cell": k, **png_stats(png)})
    json.dump({"notebook": os.path.basename(path), "text": "".join(text), "error": error, "errors": errors, "pngs": pngs, "cells": len(nb.cells)}, sys.stdout)


if __name__ == "__main__":
    main()
