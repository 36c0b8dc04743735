#!/usr/bin/python3
"""Goldens for Candela's image resizing from PIL and torchvision themselves.

  antialias_<h>x<w>_to_<oh>x<ow>.npy   PIL Image.resize((ow, oh), BILINEAR) of the seeded 8-bit RGB
                                       picture input_<h>x<w>.npy (3 x h x w): antialiased, 8-bit result
  tv_<h>x<w>_r<N>_c<C>_<interp>.npy    torchvision Resize(N) + CenterCrop(C) of that picture: on the PIL
                                       image (interp = antialias) or on the float tensor with
                                       antialias=False (interp = bilinear); float32 3 x C x C

Usage: /usr/bin/python3 tools/make_preprocess_goldens.py [--out testdata/golden/preprocess]
"""
import argparse, json, os

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "testdata", "golden", "preprocess"))
args = ap.parse_args()
out = os.path.abspath(args.out)
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(16)
manifest = {"made_by": "tools/make_preprocess_goldens.py", "pil": Image.__version__, "torch": torch.__version__,
            "torchvision": torchvision.__version__, "tolerance": "antialias: exact (8-bit integers stored as float32); bilinear: 1e-3 on 0..255",
            "files": []}


def picture(h, w):
    # smooth ramps plus noise, so both the filter and the rounding matter
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255.0 / max(w - 1, 1), y * 255.0 / max(h - 1, 1), (x + y) * 127.0 / max(h + w - 2, 1)])
    return np.clip(base + rng.normal(0, 40, base.shape), 0, 255).astype(np.uint8)


def save(name, arr):
    np.save(os.path.join(out, name + ".npy"), np.asarray(arr, dtype=np.float32))  # Npy reads float32
    manifest["files"].append(name + ".npy")


for (h, w), sizes in {(37, 53): [(20, 15), (7, 9), (37, 26), (18, 53), (50, 80), (1, 1), (36, 52)],
                      (45, 56): [], (45, 61): [], (61, 45): []}.items():
    src = picture(h, w)
    save("input_%dx%d" % (h, w), src)
    img = Image.fromarray(np.ascontiguousarray(src.transpose(1, 2, 0)), "RGB")
    for oh, ow in sizes:
        r = np.asarray(img.resize((ow, oh), Image.BILINEAR)).transpose(2, 0, 1)
        save("antialias_%dx%d_to_%dx%d" % (h, w, oh, ow), np.ascontiguousarray(r))
    if (h, w) != (37, 53):
        for n, c in [(32, 28), (28, 28), (50, 27)]:
            pil = T.Compose([T.Resize(n, interpolation=T.InterpolationMode.BILINEAR), T.CenterCrop(c)])(img)
            save("tv_%dx%d_r%d_c%d_antialias" % (h, w, n, c), np.ascontiguousarray(np.asarray(pil, dtype=np.float32).transpose(2, 0, 1)))
            t = torch.from_numpy(src.astype(np.float32)).unsqueeze(0)
            t = TF.center_crop(TF.resize(t, n, interpolation=T.InterpolationMode.BILINEAR, antialias=False), c)[0]
            save("tv_%dx%d_r%d_c%d_bilinear" % (h, w, n, c), t.numpy().astype(np.float32))
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("wrote", len(manifest["files"]), "files to", out)
