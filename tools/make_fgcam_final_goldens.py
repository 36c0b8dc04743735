#!/usr/bin/python3
"""FG-CAM final (display) maps from the official code, at intermediate levels.

Run with Debian's python3 (torch 1.13.1, python3-opencv):
    CANDELA_REFS=/path/to/refs /usr/bin/python3 tools/make_fgcam_final_goldens.py
The official repository (dongmo-qcq/FG-CAM) is imported by path from $CANDELA_REFS/FG-CAM (never copied here).

The model, input and class are those of testdata/golden/fgcam (tools/make_lrp_fgcam_goldens.py): the weights are
read back from weights.npy into the official VGG classes. For each base (grad_cam, score_cam), with and without
denoising, and each intermediate level (features 33, 23, 13, 6: 8x8 .. 64x64 at a 128x128 input) this runs
    explanation, _ = FG_CAM(model, base)(x, denoise, level, class)          # FG_CAM.py
    explanation = torch.relu(explanation)                                   # main.py
    final = util.visual_explanation(explanation)                            # util.py: min-max (no eps), cv2.resize
with one change: util.visual_explanation resizes to 224x224 (the official input size); here cv2.resize is shimmed
to resize to the input size (128x128) instead, exactly as the Score-CAM mask size is in make_lrp_fgcam_goldens.py.
Writes testdata/golden/fgcam/final-<base>-<plain|denoise>-features.<t>.npy and adds "final_cases" to manifest.json.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REFS = os.environ.get("CANDELA_REFS", "/work/refs")
sys.path.insert(0, os.path.join(REFS, "FG-CAM"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "testdata", "golden", "fgcam")


def main():
    import cv2
    import FG_CAM as fg
    import util
    from models import vgg as fgvgg
    with open(os.path.join(DIR, "manifest.json")) as f:
        rec = json.load(f)
    cfg = [4, 4, 'M', 8, 8, 'M', 16, 16, 16, 'M', 32, 32, 32, 'M', 32, 32, 32, 'M']
    model = fgvgg.VGG(fgvgg.create_features_modules(cfg, batch_norm=True), num_classes=10)
    model.avgpool = nn.Identity()
    model.classifier = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU(True), nn.Dropout(),
                                     nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, 10))
    flat = np.load(os.path.join(DIR, "weights.npy"))
    state = model.state_dict()
    for e in rec["weights"]:
        n = int(np.prod(e["shape"])) if e["shape"] else 1
        state[e["name"]] = torch.from_numpy(flat[e["offset"]:e["offset"] + n].reshape(e["shape"]).copy())
    model.load_state_dict(state)
    model.eval()
    x = torch.from_numpy(np.load(os.path.join(DIR, rec["input"])))
    size = (x.shape[3], x.shape[2])
    with torch.no_grad():
        logits = model(x)
    assert np.abs(logits.numpy() - np.load(os.path.join(DIR, rec["logits"]))).max() < 1e-5
    c = rec["class"]

    # the same shims as make_lrp_fgcam_goldens.py: mask / display size follow the input (official: 224x224)
    real_interp = F.interpolate

    class FShim:
        def __getattr__(self, k):
            return (lambda t, size=None, **kw: real_interp(t, size=(x.shape[2], x.shape[3]), **kw)) if k == "interpolate" else getattr(F, k)
    fg.F = FShim()
    real_resize = cv2.resize

    class Cv2Shim:
        def __getattr__(self, k):
            return (lambda img, dsize, *a, **kw: real_resize(img, size, *a, **kw)) if k == "resize" else getattr(cv2, k)
    util.cv2 = Cv2Shim()

    rec["final_cases"] = []
    rec["final_note"] = ("final = util.visual_explanation(torch.relu(FG_CAM(...)(x, denoise, t, class)[0])) as main.py does: "
                         "ReLU, (e - min) / (max - min) without eps, cv2.resize INTER_LINEAR to the input size (shimmed from 224)")
    for base in ("grad_cam", "score_cam"):
        cam = fg.FG_CAM(model, base)
        for denoise in (False, True):
            for t in (33, 23, 13, 6):
                e, _ = cam(x, denoise, t, c)
                raw_file = "fg-%s-%s-features.%d.npy" % (base, "denoise" if denoise else "plain", t)
                raw = np.load(os.path.join(DIR, raw_file))
                assert np.abs(e.detach().numpy() - raw).max() <= 1e-6 * np.abs(raw).max(), raw_file
                final = util.visual_explanation(torch.relu(e))
                final = np.asarray(final, dtype=np.float32)
                name = "final-%s-%s-features.%d" % (base, "denoise" if denoise else "plain", t)
                np.save(os.path.join(DIR, name + ".npy"), final)
                rec["final_cases"].append({"base": base, "denoise": denoise, "target_layer": t, "raw": raw_file,
                                           "file": name + ".npy", "shape": list(final.shape), "tolerance_abs": 1e-5})
    with open(os.path.join(DIR, "manifest.json"), "w") as f:
        json.dump(rec, f, indent=1)
    print("wrote", len(rec["final_cases"]), "final maps")


if __name__ == "__main__":
    main()
