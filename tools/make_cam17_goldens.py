#!/usr/bin/python3
"""Goldens for the CAM methods pytorch-grad-cam added after 1.5.5 (issue 17): FEM, KPCA-CAM, SegEigenCAM, ShapleyCAM and FinerCAM, from
pytorch-grad-cam itself (the mirror of jacobgil/pytorch-grad-cam checked out to a temporary folder, run by
path; nothing of it is copied into the repository).

Models and input: the seeded VGG- and ResNet-like torch models of tools/make_attribution_goldens.py
(weights from testdata/golden/attribution) and its x.npy (2 x 3 x 16 x 16); layers features.7 (VGG, the
last ReLU) and layer4 (ResNet). Recorded per case: the raw map (get_cam_image), the per-channel weights where
the method has them (get_cam_weights), the final map (PGC pipeline), the model outputs.

Usage: /usr/bin/python3 tools/make_cam17_goldens.py [outdir]   (default testdata/golden/cam17)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

import golden_common  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/cam17"
ATTR = os.path.join(HERE, "..", "testdata", "golden", "attribution")
MIRROR = "/work/.mirror/jacobgil+pytorch-grad-cam/repo"

PGC_DIR = tempfile.mkdtemp(prefix="pgc-")
PGC_COMMIT = subprocess.check_output(["git", "--git-dir=" + MIRROR, "rev-parse", "HEAD"], text=True).strip()
subprocess.run(["tar", "-x", "-C", PGC_DIR], input=subprocess.check_output(["git", "--git-dir=" + MIRROR, "archive", "HEAD", "pytorch_grad_cam"]), check=True)
# pytorch-grad-cam imports ttach (aug_smooth only): make_cam_goldens.py's stand-in
os.makedirs(os.path.join(PGC_DIR, "ttach"), exist_ok=True)
sys.path.insert(0, HERE)
from make_cam_goldens import TTACH_STUB  # noqa: E402  (the stand-in for ttach that make_cam_goldens.py documents)
open(os.path.join(PGC_DIR, "ttach", "__init__.py"), "w").write(TTACH_STUB)
sys.path.insert(0, PGC_DIR)
sys.path.insert(0, HERE)
# pytorch-grad-cam imports scikit-learn (KernelPCA) at import; Debian's python has none, so it is installed
# apart: /usr/bin/python3 -m pip install --no-deps --target /tmp/skl-site scikit-learn==1.6.1 joblib threadpoolctl
SKLEARN_SITE = os.environ.get("SKLEARN_SITE", "/tmp/skl-site")
if os.path.isdir(SKLEARN_SITE):
    sys.path.append(SKLEARN_SITE)

sys.argv = sys.argv[:1]
import make_sampled_goldens as msg  # noqa: E402  (model loading; also checks out Captum, which it needs)
import make_attribution_goldens as mag  # noqa: E402
import pytorch_grad_cam as pgc  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402

torch.set_num_threads(1)


def npy(name, a):
    return golden_common.save_float32(OUT, name, a)


def record(cam):
    rec = {"raw": [], "weights": []}
    target = getattr(cam, "base_cam", cam)
    if hasattr(target, "get_cam_weights"):
        ow = target.get_cam_weights
        def w(*a, **k):
            r = ow(*a, **k)
            rec["weights"].append(np.array(r, dtype=np.float32))
            return r
        target.get_cam_weights = w
    oi = target.get_cam_image
    def im(*a, **k):
        r = oi(*a, **k)
        rec["raw"].append(np.array(r, dtype=np.float32))
        return r
    target.get_cam_image = im
    return rec


def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    targets = [3, 7]
    models = {"vgg": (msg.load(mag.vgg_model(1), "vgg"), "features.7", lambda m: m.features[7]),
              "resnet": (msg.load(mag.resnet_model(2), "resnet"), "layer4", lambda m: m.layer4)}
    cases = []
    for name, (model, lname, lmod) in models.items():
        for k in (2, 1):
            cam = pgc.FEM(model, [lmod(model)], k=k)
            rec = record(cam)
            maps = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets])
            tag = "fem_%s_k%d" % (name, k)
            cases.append({"kind": "fem", "model": name, "layer": lname, "targets": targets,
                          "method": "fem" if k == 2 else "fem(k=%d)" % k,
                          "raw": npy(tag + "_raw", rec["raw"][0]), "map": npy(tag + "_map", maps)})
        for kernel, gamma in (("sigmoid", None), ("rbf", 0.05), ("poly", None)):
            cam = pgc.KPCA_CAM(model, [lmod(model)], kernel=kernel, gamma=gamma)
            rec = record(cam)
            maps = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets])
            tag = "kpca_%s_%s" % (name, kernel)
            spec = "kpca-cam" if kernel == "sigmoid" else "kpca-cam(kernel=%s%s)" % (kernel, "" if gamma is None else ",gamma=%s" % gamma)
            cases.append({"kind": "kpca-cam", "model": name, "layer": lname, "targets": targets, "method": spec,
                          "raw": npy(tag + "_raw", rec["raw"][0]), "map": npy(tag + "_map", maps)})
        cam = pgc.SegEigenCAM(model, [lmod(model)])
        rec = record(cam)
        maps = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets])
        cases.append({"kind": "seg-eigen-cam", "model": name, "layer": lname, "targets": targets, "method": "seg-eigen-cam",
                      "raw": npy("segeigen_%s_raw" % name, rec["raw"][0]), "map": npy("segeigen_%s_map" % name, maps)})
        from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget, ClassifierOutputReST
        for tname, tcls, spec in (("logit", ClassifierOutputTarget, "shapley-cam"), ("softmax", ClassifierOutputSoftmaxTarget, "shapley-cam"),
                                  ("rest", ClassifierOutputReST, "shapley-cam(target=rest)")):
            cam = pgc.ShapleyCAM(model, [lmod(model)])
            rec = record(cam)
            maps = cam(input_tensor=x.clone(), targets=[tcls(t) for t in targets])
            cam.activations_and_grads.release()  # its hooks keep the graph (detach=False) for the next method otherwise
            tag = "shapley_%s_%s" % (name, tname)
            cases.append({"kind": "shapley-cam", "model": name, "layer": lname, "targets": targets, "target_kind": tname, "method": spec,
                          "raw": npy(tag + "_raw", rec["raw"][0]), "weights": npy(tag + "_weights", rec["weights"][0]),
                          "map": npy(tag + "_map", maps)})
        for alpha, ncmp in ((1.0, 3), (0.6, 2)):
            raws, ws, ms, cmps = [], [], [], []
            for i, t in enumerate(targets):
                cam = pgc.FinerCAM(model, [lmod(model)])
                rec = record(cam)
                maps = cam(input_tensor=x[i:i + 1].clone(), alpha=alpha, comparison_categories=list(range(1, ncmp + 1)), target_idx=t)
                out = model(x[i:i + 1]).detach().numpy()[0]
                cmps.append([int(j) for j in np.argsort(np.abs(out - out[t]))[1:ncmp + 1]])
                raws.append(rec["raw"][0][0])
                ws.append(rec["weights"][0][0])
                ms.append(maps[0])
            tag = "finer_%s_a%s_n%d" % (name, alpha, ncmp)
            cases.append({"kind": "finer-cam", "model": name, "layer": lname, "targets": targets,
                          "method": "finer-cam" if (alpha, ncmp) == (1.0, 3) else "finer-cam(alpha=%s,comparisons=%d)" % (alpha, ncmp),
                          "comparison_classes": cmps,
                          "raw": npy(tag + "_raw", np.stack(raws)), "weights": npy(tag + "_weights", np.stack(ws)),
                          "map": npy(tag + "_map", np.stack(ms))})
    manifest = {
        "generator": "tools/make_cam17_goldens.py",
        "torch": torch.__version__,
        "pytorch_grad_cam": "mirror jacobgil/pytorch-grad-cam, commit %s" % PGC_COMMIT,
        "input": "../attribution/x.npy (2x3x16x16); models ../attribution/vgg, ../attribution/resnet",
        "scikit_learn": __import__("sklearn").__version__,
        "tolerances": {"raw": "abs 1e-6 + rel 1e-5 of max |golden| (kpca-cam: rel 1e-4, scikit-learn works in float32)", "weights": "abs 1e-6 + rel 1e-5 of max |golden|",
                       "map": "abs 1e-5 (maps in [0,1])"},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
