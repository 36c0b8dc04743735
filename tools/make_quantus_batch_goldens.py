#!/usr/bin/python3
"""Golden values for Candela's batch-level Quantus metrics (sufficiency, sensitivity-n), from Quantus itself.

Sufficiency (Dasgupta et al. 2022) relates the images of one batch: Quantus compares every pair of maps of
a call. Here one call scores a batch of 10 maps (3 x 12 x 12 inputs) built around three prototypes plus
noise, so some pairs fall under the distance threshold and some do not; the model is a stand-in whose
predicted class is written into the input (pixel [0, 0, 0]), so the predictions are fixed and recorded.
A second case has a pixel that is 0 in every map (zero variance: every distance NaN in scipy, every value 0).

Runs a Quantus checkout by path (never copied), with the scikit-learn stand-in of
tools/make_quantus_goldens.py. Writes testdata/golden/quantus-batch/ (maps.npy, maps_zero.npy, manifest.json with the predictions and values).

Usage: /usr/bin/python3 tools/make_quantus_batch_goldens.py --quantus /path/to/Quantus
"""
import argparse, json, os, sys

import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--quantus", default="/tmp/quantus-src")
ap.add_argument("--quantus-commit", default="85bc29d1")
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "testdata", "golden", "quantus-batch"))
args = ap.parse_args()

stubs = "/tmp/candela_quantus_stubs"
os.makedirs(os.path.join(stubs, "sklearn"), exist_ok=True)
with open(os.path.join(stubs, "sklearn", "__init__.py"), "w") as f:
    f.write("")
with open(os.path.join(stubs, "sklearn", "utils.py"), "w") as f:
    f.write("def gen_batches(n, batch_size, *, min_batch_size=0):\n"
            "    start = 0\n"
            "    for _ in range(int(n // batch_size)):\n"
            "        end = start + batch_size\n"
            "        if end + min_batch_size > n:\n"
            "            continue\n"
            "        yield slice(start, end)\n"
            "        start = end\n"
            "    if start < n:\n"
            "        yield slice(start, n)\n")
for mod, names in {"neighbors": ["kneighbors_graph"], "metrics": ["auc", "roc_curve"]}.items():
    with open(os.path.join(stubs, "sklearn", mod + ".py"), "w") as f:
        for n in names:
            f.write("def %s(*a, **k):\n    raise NotImplementedError('scikit-learn stand-in')\n" % n)
sys.path.insert(0, stubs)
sys.path.insert(0, os.path.abspath(args.quantus))
import quantus  # noqa: E402

out = os.path.abspath(args.out)
os.makedirs(out, exist_ok=True)
N, C, H, W, K = 10, 3, 12, 12, 4


class ClassInPixel(nn.Module):
    """Logits -|k - x[0, 0, 0]|: the predicted class is the value written into the first pixel."""

    def forward(self, x):
        k = torch.arange(K, dtype=x.dtype)
        return -(k[None, :] - x[:, 0, 0, 0][:, None]).abs()


rng = np.random.default_rng(11)
predicted = np.array([0, 0, 1, 2, 1, 1, 3, 2, 2, 0], dtype=np.int64)
cluster = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
protos = rng.random((3, H, W))
noise = np.array([0.05, 0.1, 0.3, 0.05, 0.1, 0.2, 0.4, 0.05, 0.15, 0.3])[:, None, None]  # pairs at many distances
maps = np.clip(protos[cluster] + noise * rng.standard_normal((N, H, W)), 0, None).astype(np.float32)
maps[maps == 0] = 1e-3  # no pixel constant over the batch
maps_zero = maps.copy()
maps_zero[:, 5, 7] = 0  # one pixel 0 everywhere: zero variance
x = rng.random((N, C, H, W)).astype(np.float32)
x[:, 0, 0, 0] = predicted
model = ClassInPixel().eval()
with torch.no_grad():
    assert (model(torch.from_numpy(x)).argmax(1).numpy() == predicted).all()

q = dict(disable_warnings=True, display_progressbar=False)
cases = {}
for name, m, thr in (("sufficiency_t04", maps, 0.4), ("sufficiency_t06", maps, 0.6), ("sufficiency_t07", maps, 0.7), ("sufficiency_zero_variance", maps_zero, 0.6)):
    metric = quantus.Sufficiency(threshold=thr, **q)
    v = metric(model=model, x_batch=x.copy(), y_batch=predicted.copy(), a_batch=m[:, None].copy(), device="cpu",
               channel_first=True, batch_size=N)
    cases[name] = {"metric": "Sufficiency", "threshold": thr, "maps": ("maps_zero" if m is maps_zero else "maps") + ".npy",
                   "values": [float(t) for t in np.asarray(v, dtype=np.float64).reshape(-1)]}
# Sensitivity-n: one call over the 4 images of testdata/golden/quantus (its seeded CNN, inputs, maps, targets), steps
# of 8 and 4 whole pixels (features_in_step = 3 x 8 = 24 and 3 x 4 = 12 elements), per-step correlations and their mean
gdir = os.path.join(os.path.dirname(out), "quantus")
gman = json.load(open(os.path.join(gdir, "manifest.json")))


class Net(nn.Module):  # the net of tools/make_quantus_goldens.py
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, 3, padding=1)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


net = Net().eval()
net.load_state_dict({k: torch.from_numpy(np.load(os.path.join(gdir, "model." + k + ".npy"))) for k in net.state_dict()})
gx = np.load(os.path.join(gdir, "inputs.npy"))
gmaps = np.load(os.path.join(gdir, "maps.npy"))
gtargets = np.array(gman["targets"], dtype=np.int64)


def pearson_rows(a, b, batched=False, **kw):  # Quantus's own fallback for scipy without 'axis'
    import scipy.stats
    if batched:
        return np.array([scipy.stats.pearsonr(aa, bb)[0] for aa, bb in zip(a, b)])
    return scipy.stats.pearsonr(a, b)[0]


for px in (8, 4):
    for sm in (True, False):
        tag = "sensitivity_n_step%d_%s" % (px, "softmax" if sm else "logit")
        per_step = quantus.SensitivityN(features_in_step=3 * px, similarity_func=pearson_rows, return_aggregate=False, **q)(
            model=net, x_batch=gx.copy(), y_batch=gtargets.copy(), a_batch=gmaps[:, None].copy(), device="cpu",
            channel_first=True, softmax=sm)
        agg = quantus.SensitivityN(features_in_step=3 * px, similarity_func=pearson_rows, **q)(
            model=net, x_batch=gx.copy(), y_batch=gtargets.copy(), a_batch=gmaps[:, None].copy(), device="cpu",
            channel_first=True, softmax=sm)
        cases[tag] = {"metric": "SensitivityN", "step_pixels": px, "softmax": sm, "inputs": "../quantus/inputs.npy",
                      "maps": "../quantus/maps.npy", "per_step": [float(v) for v in np.asarray(per_step).reshape(-1)],
                      "aggregate": float(np.asarray(agg, dtype=np.float64).reshape(-1)[0])}
np.save(os.path.join(out, "maps.npy"), maps)
np.save(os.path.join(out, "maps_zero.npy"), maps_zero)
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump({"made_by": "tools/make_quantus_batch_goldens.py", "quantus_commit": args.quantus_commit,
               "numpy": np.__version__, "torch": torch.__version__, "n": N, "shape": [C, H, W], "tolerance": 1e-9,
               "tolerance_sensitivity_n": 1e-4,
               "predicted": [int(c) for c in predicted], "cases": cases}, f, indent=1)
    f.write("\n")
for k, c in cases.items():
    print(k, ["%.4f" % v for v in c.get("values", c.get("per_step"))], c.get("aggregate"))
