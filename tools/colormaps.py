#!/usr/bin/python3
"""Colormap tables and goldens for dev.candela.image.Colormap.

viridis, inferno (matplotlib, CC0 per matplotlib's _cm_listed.py notes) and turbo (Google, Apache-2.0,
as shipped in matplotlib) are sampled at 256 levels into
candela-core/src/main/resources/dev/candela/image/colormaps.txt (one line per map: name, then 256 RRGGBB words).
Jet is not a table in Candela: it is computed from its piecewise-linear definition; OpenCV's
COLORMAP_JET lookup table is written as a golden (testdata/golden/colormaps/jet_opencv.npy,
256x3 uint8 -> stored as float32, RGB order) to check that definition against.
Reproduce: /usr/bin/python3 tools/colormaps.py
"""
import json
import os

import cv2
import matplotlib
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
res = os.path.join(root, "candela-core/src/main/resources/dev/candela/image/colormaps.txt")
with open(res, "w") as f:
    f.write("# 256-level colormap tables sampled from matplotlib %s by tools/colormaps.py\n" % matplotlib.__version__)
    for name in ["viridis", "inferno", "turbo"]:
        cmap = matplotlib.colormaps[name].resampled(256) if hasattr(matplotlib, "colormaps") else matplotlib.cm.get_cmap(name, 256)
        rgb = np.round(cmap(np.linspace(0, 1, 256))[:, :3] * 255).astype(int)
        f.write(name + " " + " ".join("%02x%02x%02x" % tuple(c) for c in rgb) + "\n")

gold = os.path.join(root, "testdata/golden/colormaps")
os.makedirs(gold, exist_ok=True)
lut = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(1, 256), cv2.COLORMAP_JET)[0][:, ::-1]
np.save(os.path.join(gold, "jet_opencv.npy"), lut.astype(np.float32))
with open(os.path.join(gold, "manifest.json"), "w") as f:
    json.dump({"producer": "tools/colormaps.py", "opencv": cv2.__version__,
               "files": {"jet_opencv.npy": "cv2.applyColorMap(arange(256), COLORMAP_JET), converted BGR->RGB, shape 256x3, values 0..255"},
               "tolerance": "each channel within 2 levels of 255"}, f, indent=1)
print("wrote", res, "and", gold)
