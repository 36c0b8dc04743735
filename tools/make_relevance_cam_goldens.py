#!/usr/bin/python3
"""Goldens for relevance-cam from the official Relevance-CAM code (mongeoroo/Relevance-CAM, its modules/
package and LRP_util.normalize, checked out from the mirror to a temporary folder and run by path; nothing of it is
copied into the repository).

The seeded VGG-like model of tools/make_attribution_goldens.py is rebuilt from the official layer classes
(modules.layers: Conv2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Linear, Dropout inside modules.vgg.VGG) with the
weights of testdata/golden/attribution/vgg, and explained by VGG.forward(x, mode='7', target_class=[c]) (the
last ReLU, features.7), one image at a time as Multi_CAM.py does; .cuda() is made a no-op. Stored per image:
the raw R-CAM (sum_k mean(R_k) A_k, 4 x 4), and the final map = LRP_util.normalize then cv2.resize to the
input's 16 x 16 (tensor2image resizes to 224 x 224; only the size differs).

Usage: /usr/bin/python3 tools/make_relevance_cam_goldens.py [outdir]   (default testdata/golden/relevance_cam)
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

import golden_common  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/relevance_cam"
ATTR = os.path.join(HERE, "..", "testdata", "golden", "attribution")
MIRROR = "/work/.mirror/mongeoroo+Relevance-CAM/repo"

RC_DIR = tempfile.mkdtemp(prefix="relevance-cam-")
RC_COMMIT = subprocess.check_output(["git", "--git-dir=" + MIRROR, "rev-parse", "HEAD"], text=True).strip()
subprocess.run(["tar", "-x", "-C", RC_DIR], input=subprocess.check_output(
    ["git", "--git-dir=" + MIRROR, "archive", "HEAD", "modules", "LRP_util.py", "imagenet_index.py"]), check=True)
sys.path.insert(0, RC_DIR)
torch.Tensor.cuda = lambda self, *a, **k: self

from modules import layers as L  # noqa: E402
from modules.vgg import VGG  # noqa: E402
from LRP_util import normalize  # noqa: E402

torch.set_num_threads(1)


def npy(name, a):
    return golden_common.save_float32(OUT, name, a)


def official_vgg():
    features = L.Sequential(L.Conv2d(3, 6, 3, padding=1), L.ReLU(), L.MaxPool2d(2, 2),
                            L.Conv2d(6, 8, 3, padding=1), L.ReLU(), L.MaxPool2d(2, 2),
                            L.Conv2d(8, 8, 3, padding=1), L.ReLU(), L.MaxPool2d(2, 2))
    m = VGG(features, num_classes=10, init_weights=False)
    m.avgpool = L.AdaptiveAvgPool2d((2, 2))
    m.classifier = L.Sequential(L.Linear(32, 24), L.ReLU(), L.Dropout(), L.Linear(24, 24), L.ReLU(), L.Dropout(), L.Linear(24, 10))
    state = m.state_dict()
    for k in state:
        state[k] = torch.from_numpy(np.load(os.path.join(ATTR, "vgg", k + ".npy")))
    m.load_state_dict(state)
    return m.eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    ref_logits = np.load(os.path.join(ATTR, "vgg_logits.npy"))
    model = official_vgg()
    cases = []
    for targets in ([3, 7], [1, 1]):
        raws, maps = [], []
        for i, c in enumerate(targets):
            r_cam, out = model(x[i:i + 1].clone(), "7", [c])
            assert np.allclose(out.detach().numpy(), ref_logits[i:i + 1], atol=1e-5), "rebuilt model differs from the golden VGG"
            raws.append(r_cam[0, 0].detach().numpy().copy())
            nm = normalize(r_cam.detach().clone())[0].numpy()
            maps.append(cv2.resize(np.transpose(nm, (1, 2, 0)), (16, 16)))
        tag = "rcam_vgg_%d_%d" % tuple(targets)
        cases.append({"kind": "relevance-cam", "model": "vgg", "layer": "features.7", "targets": targets, "method": "relevance-cam",
                      "raw": npy(tag + "_raw", np.stack(raws)), "map": npy(tag + "_map", np.stack(maps))})
    manifest = {
        "generator": "tools/make_relevance_cam_goldens.py",
        "torch": torch.__version__,
        "relevance_cam": "mirror mongeoroo/Relevance-CAM, commit %s" % RC_COMMIT,
        "input": "../attribution/x.npy; model ../attribution/vgg rebuilt from the official layer classes",
        "tolerances": {"raw": "abs 1e-6 + rel 1e-5 of max |golden|", "map": "abs 1e-5"},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
