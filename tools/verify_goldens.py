#!/usr/bin/python3
"""Consistency check of the committed goldens (does not write any golden).

Re-derives, with our own numpy/torch code written from the formulas in the manifests, what a Java test
will re-derive, and compares with the reference libraries' stored outputs:
- cam/: Grad-CAM weights = spatial mean of the stored gradients, raw = sum_k w_k A_k, map = the
  documented PGC pipeline of raw (checked on the stored, possibly subsampled, pixels);
- torchcam/: SS-CAM, IS-CAM and Smooth Grad-CAM++ replayed from the stored noise arrays through the
  ONNX model; weights and maps must match TorchCAM's.
Proves the manifests are complete enough to reproduce the numbers without the reference libraries.

    /usr/bin/python3 tools/verify_goldens.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402


def load(suite, f):
    return np.load(os.path.join(gc.GOLDEN, suite, f))


def pgc_pipeline(raw, hw):
    import cv2
    out = []
    for r in np.maximum(raw, 0):
        r = r - r.min()
        r = r / (1e-7 + r.max())
        out.append(cv2.resize(np.float32(r), (hw[1], hw[0])))
    res = []
    for r in np.float32(out):
        r = r - r.min()
        res.append(r / (1e-7 + r.max()))
    return np.float32(res)


def rel(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def check_cam():
    m = json.load(open(os.path.join(gc.GOLDEN, "cam", "manifest.json")))
    worst = {}
    for c in m["cases"]:
        if c["method"] != "grad-cam" or "activations" not in c["arrays"] or len(c["layers"]) != 1:
            continue
        A = load("cam", c["arrays"]["activations"][0]["file"])
        G = load("cam", c["arrays"]["gradients"][0]["file"])
        w = G.mean(axis=(2, 3))
        raw = (w[:, :, None, None] * A).sum(1)
        hw = c["input"]["shape"][2:]
        mp = pgc_pipeline(raw, hw)
        e = c["arrays"]["map"]
        if "subsample" in e:
            r0, r1, rs, c0, c1, cs = e["subsample"]
            mp = mp[..., r0:r1:rs, c0:c1:cs]
        res = {"weights_rel": rel(w, load("cam", c["arrays"]["weights"]["file"])),
               "raw_rel": rel(raw, load("cam", c["arrays"]["raw"]["file"])),
               "map_abs": float(np.abs(mp - load("cam", e["file"])).max())}
        print("cam", c["name"], res)
        for k, v in res.items():
            worst[k] = max(worst.get(k, 0), v)
    return worst


def tc_normalize(x, eps=1e-8):
    # per map over the spatial dims
    x = x - x.flatten(-2).min(-1).values[..., None, None]
    return x / (x.flatten(-2).max(-1).values[..., None, None] + eps)


def check_torchcam(suite="torchcam"):
    m = json.load(open(os.path.join(gc.GOLDEN, suite, "manifest.json")))
    worst = {}
    for c in m["cases"]:
        model = gc.OnnxTorch(os.path.join(gc.ROOT, c["model"]["file"]))
        layer = model.module(c["layers"][0]["onnx_node"])
        x = torch.from_numpy(np.load(os.path.join(gc.GOLDEN, suite, c["input"]["file"])))
        t = c["targets"]
        arr = c["arrays"]
        A = torch.from_numpy(load(suite, arr["activations"]["file"]))
        B, K = A.shape[:2]
        idx = torch.arange(B)
        with torch.no_grad():
            base = model(x)[idx, t]
        opts = c["options"]
        A_map = A
        if c["method"] == "cam":
            w = model.module(c["fc_layer"]["onnx_node"]).weight.detach()[t]
            cam = tc_normalize((w[:, :, None, None] * A).sum(1))  # no ReLU in TorchCAM's CAM
            res = {"weights_rel": rel(w.numpy(), load(suite, arr["weights"]["file"])),
                   "map_abs": float(np.abs(cam.numpy() - load(suite, arr["map"]["file"])).max())}
            print("torchcam", c["name"], res)
            for k, v in res.items():
                worst[k] = max(worst.get(k, 0), v)
            continue
        if c["method"] in ("ss-cam", "is-cam"):
            U = F.interpolate(tc_normalize(A), x.shape[2:], mode="bilinear", align_corners=False)
            gain = torch.zeros(B, K)
            n = opts["num_samples"]
            noise = torch.from_numpy(load(suite, arr["noise"]["file"])) if "noise" in arr else None
            coeff = 0.0
            for s in range(n):
                masks = U + noise[s] if c["method"] == "ss-cam" else U
                if c["method"] == "is-cam":
                    coeff += (s + 1) / n
                for b in range(B):
                    inp = masks[b][:, None] * x[b][None]
                    if c["method"] == "is-cam":
                        inp = coeff * inp
                    with torch.no_grad():
                        gain[b] += model(inp)[:, t[b]] - base[b]
            w = torch.softmax(gain / n, -1)
        else:  # smooth-grad-cam++
            noise = torch.from_numpy(load(suite, arr["noise"]["file"]))
            n = opts["num_samples"]
            g2 = torch.zeros_like(A)
            g3 = torch.zeros_like(A)
            store = {}
            h = layer.register_forward_hook(lambda _m, _i, o: store.__setitem__("a", o))
            for s in range(n):
                out = model(x + noise[s])
                g, = torch.autograd.grad(out[idx, t].sum(), store["a"])
                g2 += g ** 2
                g3 += g ** 3
            h.remove()
            g2, g3 = g2 / n, g3 / n
            alpha = g2 / (2 * g2 + (g3 * A).flatten(2).sum(-1)[..., None, None] + 1e-8)
            w = (alpha * torch.relu(g)).flatten(2).sum(-1)
            A_map = store["a"].detach()
            if "activations_after" in arr:
                worst_a = rel(A_map.numpy(), load(suite, arr["activations_after"]["file"]))
                worst["activations_after_rel"] = max(worst.get("activations_after_rel", 0), worst_a)
        cam = tc_normalize(torch.relu((w[:, :, None, None] * A_map).sum(1)))
        res = {"weights_rel": rel(w.detach().numpy(), load(suite, arr["weights"]["file"])),
               "map_abs": float(np.abs(cam.detach().numpy() - load(suite, arr["map"]["file"])).max())}
        print("torchcam", c["name"], res)
        for k, v in res.items():
            worst[k] = max(worst.get(k, 0), v)
    return worst


def main():
    gc.setup_torch()
    w1 = check_cam()
    w2 = check_torchcam("torchcam_cam")
    for k, v in check_torchcam("torchcam").items():
        w2[k] = max(w2.get(k, 0), v)
    print("worst cam:", w1)
    print("worst torchcam:", w2)
    ok = w1["weights_rel"] < 1e-4 and w1["raw_rel"] < 1e-4 and w1["map_abs"] < 1e-4 and \
        w2["weights_rel"] < 1e-4 and w2["map_abs"] < 1e-4
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
