#!/usr/bin/python3
"""Goldens for multi-layer fusion (issue 17 item 2): TorchCAM's LayerCAM fusion (fuse_cams: per-layer map
ReLU'd and normalised, tanh(2 x), bilinear to the largest layer, maximum), from TorchCAM itself (the mirror of
frgfm/torch-cam checked out to a temporary folder and run by path, with a package shell for its version
lookup; nothing of it is copied into the repository), pytorch-grad-cam's mean fusion (LayerCAM with two
target layers, run by path as in make_cam17_goldens.py) and pytorch-grad-cam's RefineCAM (Grad-CAM++ per layer,
product; the run's fusion does not apply to it).

TorchCAM returns the fused map at the largest layer's resolution; Candela's map is that map min-max'ed (no
eps) and resized to the input (bilinear, half-pixel centres): that last step is done here with torch
(F.interpolate, align_corners=False), not with TorchCAM, and the fused map itself is stored too.

Models and input: the seeded VGG- and ResNet-like models of tools/make_attribution_goldens.py and its x.npy.
Usage: /usr/bin/python3 tools/make_fusion_goldens.py [outdir]   (default testdata/golden/fusion)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

import golden_common  # noqa: E402
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/fusion"
ATTR = os.path.join(HERE, "..", "testdata", "golden", "attribution")
MIRROR = "/work/.mirror/frgfm+torch-cam/repo"

TC_DIR = tempfile.mkdtemp(prefix="torchcam-")
TC_COMMIT = subprocess.check_output(["git", "--git-dir=" + MIRROR, "rev-parse", "HEAD"], text=True).strip()
subprocess.run(["tar", "-x", "-C", TC_DIR], input=subprocess.check_output(["git", "--git-dir=" + MIRROR, "archive", "HEAD", "torchcam"]), check=True)
SHELL = tempfile.mkdtemp(prefix="torchcam-shell-")
os.makedirs(os.path.join(SHELL, "torchcam"))
with open(os.path.join(SHELL, "torchcam", "__init__.py"), "w") as f:
    f.write("__path__ = [%r]\n__version__ = 'checkout'\n" % os.path.join(TC_DIR, "torchcam"))
sys.path.insert(0, SHELL)
sys.path.insert(0, HERE)
sys.argv = sys.argv[:1]
import make_cam17_goldens as c17  # noqa: E402  (pytorch-grad-cam checkout, models)
from torchcam.methods import LayerCAM  # noqa: E402
import pytorch_grad_cam as pgc  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402

torch.set_num_threads(1)


def npy(name, a):
    return golden_common.save_float32(OUT, name, a)


def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    targets = [3, 7]
    models = {"vgg": (c17.msg.load(c17.mag.vgg_model(1), "vgg"), ["features.4", "features.7"], lambda m: [m.features[4], m.features[7]]),
              "resnet": (c17.msg.load(c17.mag.resnet_model(2), "resnet"), ["layer1", "layer4"], lambda m: [m.layer1, m.layer4])}
    cases = []
    for name, (model, names, mods) in models.items():
        ext = LayerCAM(model, target_layer=mods(model), input_shape=(3, 16, 16))
        scores = model(x.clone())
        cams = ext(class_idx=targets, scores=scores)
        fused = LayerCAM.fuse_cams(cams)
        ext.remove_hooks()
        f = fused - fused.flatten(1).min(1).values[:, None, None]
        f = f / f.flatten(1).max(1).values[:, None, None]
        final = F.interpolate(f.unsqueeze(1), (16, 16), mode="bilinear", align_corners=False).squeeze(1)
        cases.append({"kind": "tanh-max", "model": name, "layers": names, "targets": targets, "method": "layer-cam", "fusion": "tanh-max",
                      "fused": npy("torchcam_%s_fused" % name, fused), "map": npy("torchcam_%s_map" % name, final)})
        cam = pgc.LayerCAM(model, mods(model))
        maps = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets])
        cam.activations_and_grads.release()
        cases.append({"kind": "mean", "model": name, "layers": names, "targets": targets, "method": "layer-cam", "fusion": "mean",
                      "map": npy("pgc_%s_map" % name, maps)})
        refine = pgc.RefineCAM(model, mods(model))
        maps = refine(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets])
        for b in refine.base_cam_per_layer:
            b.activations_and_grads.release()
        cases.append({"kind": "refine-cam", "model": name, "layers": names, "targets": targets, "method": "refine-cam", "fusion": "mean",
                      "map": npy("refine_%s_map" % name, maps)})
    manifest = {
        "generator": "tools/make_fusion_goldens.py",
        "torch": torch.__version__,
        "torchcam": "mirror frgfm/torch-cam, commit %s" % TC_COMMIT,
        "pytorch_grad_cam": "mirror jacobgil/pytorch-grad-cam, commit %s" % c17.PGC_COMMIT,
        "input": "../attribution/x.npy; models ../attribution/vgg, ../attribution/resnet",
        "tolerances": {"map": "abs 1e-5"},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
