#!/usr/bin/python3
"""Golden outputs for dev.candela.metrics from the REAL reference libraries.

Runs pytorch-grad-cam's DropInConfidence, IncreaseInConfidence and ROAD (MoRF, LeRF, combined;
noise recorded by wrapping torch.randn_like) and TorchCAM's DeletionInsertionMetric and
ClassificationMetric on a small seeded CNN with fixed maps. The RISE deletion/insertion curves are
computed here by re-stating RISE's evaluation loop (the RISE repository is not available offline):
that part is an independent restatement, not the reference code.

Usage (Debian python with torch 1.13):
  /usr/bin/python3 tools/make_metric_goldens.py [--refs /work/refs] [--out testdata/golden/metrics]
Reference libraries are imported by path and never copied.
"""
import argparse, json, os, sys, types
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--refs", default="/work/refs")
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "testdata", "golden", "metrics"))
args = ap.parse_args()


def package_by_path(name, path):
    # import submodules without running the package __init__ (which pulls optional dependencies)
    m = types.ModuleType(name)
    m.__path__ = [path]
    sys.modules[name] = m


package_by_path("pytorch_grad_cam", os.path.join(args.refs, "pytorch-grad-cam", "pytorch_grad_cam"))
package_by_path("torchcam", os.path.join(args.refs, "torch-cam", "torchcam"))
from pytorch_grad_cam.metrics.cam_mult_image import DropInConfidence, IncreaseInConfidence  # noqa: E402
from pytorch_grad_cam.metrics import road as pgc_road  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget, ClassifierOutputTarget  # noqa: E402
from torchcam.metrics import DeletionInsertionMetric, ClassificationMetric  # noqa: E402

out = os.path.abspath(args.out)
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

N, C, H, W, K = 6, 3, 16, 16, 5


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, 3, padding=1)
        self.fc = nn.Linear(8, K)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


net = Net().eval()
with torch.no_grad():  # give the logits some spread so softmax scores differ clearly
    net.conv2.weight.mul_(2.0)
    net.fc.weight.mul_(8.0)
files = {}


def save(name, arr, dtype=np.float32):
    arr = np.ascontiguousarray(np.asarray(arr, dtype=dtype))
    np.save(os.path.join(out, name + ".npy"), arr)
    files[name] = {"file": name + ".npy", "shape": list(arr.shape)}


for pname, p in net.state_dict().items():
    save("model." + pname, p.numpy())

x = torch.randn(N, C, H, W)
# smooth maps in [0, 1]: bilinear upsampling of 4x4 noise, min-max normalised; image 2 has ties
coarse = torch.rand(N, 1, 4, 4)
maps = nn.functional.interpolate(coarse, size=(H, W), mode="bilinear", align_corners=False)[:, 0]
maps = (maps - maps.amin(dim=(1, 2), keepdim=True)) / (maps.amax(dim=(1, 2), keepdim=True) - maps.amin(dim=(1, 2), keepdim=True))
maps[2, :4, :] = 0.0  # a block of ties
maps = maps.float()
targets = [1, 3, 0, 2, 4, 1]
save("inputs", x.numpy())
save("maps", maps.numpy())
save("targets", np.array(targets), dtype=np.int64)
mp = maps.numpy()
soft = [ClassifierOutputSoftmaxTarget(t) for t in targets]
logit = [ClassifierOutputTarget(t) for t in targets]
results = {}

with torch.no_grad():
    results["pgc_drop_in_confidence_softmax"] = DropInConfidence()(x, mp, soft, net)
    results["pgc_drop_in_confidence_logit"] = DropInConfidence()(x, mp, logit, net)
    results["pgc_increase_in_confidence_softmax"] = IncreaseInConfidence()(x, mp, soft, net)
    results["pgc_increase_in_confidence_logit"] = IncreaseInConfidence()(x, mp, logit, net)

# ROAD: record every noise array the imputer draws, in call order
noise_draws = []
_randn_like = torch.randn_like


def recording_randn_like(t, *a, **kw):
    r = _randn_like(t, *a, **kw)
    noise_draws.append(r.detach().numpy().copy())  # logical (C, M) order
    return r


pgc_road.torch.randn_like = recording_randn_like
torch.manual_seed(1)
road_calls = []


def road_run(key, fn):
    start = len(noise_draws)
    with torch.no_grad():
        results[key] = fn()
    road_calls.append({"result": key, "first_draw": start, "draws": len(noise_draws) - start})


road_run("pgc_road_morf_80_softmax", lambda: pgc_road.ROADMostRelevantFirst(80)(x, mp, soft, net))
road_run("pgc_road_lerf_20_softmax", lambda: pgc_road.ROADLeastRelevantFirst(20)(x, mp, soft, net))
road_run("pgc_road_combined_softmax", lambda: pgc_road.ROADCombined()(x, mp, soft, net))
road_run("pgc_road_combined_logit", lambda: pgc_road.ROADCombined([20, 40, 60, 80])(x, mp, logit, net))
pgc_road.torch.randn_like = _randn_like
flat = np.concatenate([d.reshape(-1) for d in noise_draws]).astype(np.float32)
save("road_noise", flat)
draw_sizes = [int(d.size) for d in noise_draws]

# the imputed tensor itself (no noise) for one mask, to check the solver separately
imp = pgc_road.NoisyLinearImputer(noise=0.0)
keep = (mp[0] < np.percentile(mp[0], 50)).astype(np.float32)
save("road_imputed_p50_image0", imp(x[0], torch.from_numpy(keep)).numpy())


# TorchCAM with a stand-in extractor that returns the fixed maps
class FixedMaps:
    def __init__(self, model, m):
        self.model = model
        self.m = m

    def __call__(self, class_idx=None, scores=None, normalized=True, **kw):
        return [self.m]

    def fuse_cams(self, cams):
        return cams[0]

    @contextmanager
    def _hooks_off(self):
        yield


softmax = lambda z: torch.softmax(z, dim=-1)  # noqa: E731
for i in range(N):
    ext = FixedMaps(net, maps[i:i + 1])
    for fn_name, fn in (("softmax", softmax), ("logit", None)):
        m = DeletionInsertionMetric(ext, fn, steps=20, batch_size=8)
        captured = {}
        orig = m._compute_curves

        def cap(*a, **kw):
            r = orig(*a, **kw)
            captured["r"] = r
            return r

        m._compute_curves = cap
        m.update(x[i:i + 1], class_idx=targets[i])
        s = m.summary()
        results.setdefault(f"tc_deletion_auc_{fn_name}", []).append(s["deletion_auc"])
        results.setdefault(f"tc_insertion_auc_{fn_name}", []).append(s["insertion_auc"])
        fr, de, ins = captured["r"]
        results.setdefault(f"tc_deletion_curve_{fn_name}", []).append(de[0].numpy())
        results.setdefault(f"tc_insertion_curve_{fn_name}", []).append(ins[0].numpy())
        results[f"tc_fractions"] = fr.numpy()
        cm = ClassificationMetric(ext, fn)
        cm.update(x[i:i + 1], class_idx=targets[i])
        cs = cm.summary()
        results.setdefault(f"tc_avg_drop_{fn_name}", []).append(cs["avg_drop"])
        results.setdefault(f"tc_conf_increase_{fn_name}", []).append(cs["conf_increase"])


# RISE (restated): gkern from scipy, blur by conv2d with zero padding, step pixels per point
from scipy.ndimage import gaussian_filter  # noqa: E402


def gkern(klen, nsig):
    inp = np.zeros((klen, klen))
    inp[klen // 2, klen // 2] = 1
    k = gaussian_filter(inp, nsig)
    kern = np.zeros((C, C, klen, klen))
    for c in range(C):
        kern[c, c] = k
    return torch.from_numpy(kern.astype("float32")), k


kern, k2d = gkern(11, 5)
save("rise_kernel_11_5", k2d)
blur = lambda t: nn.functional.conv2d(t, kern, padding=5)  # noqa: E731
save("rise_blurred_inputs", blur(x).numpy())


def rise_curve(mode, img, sal, c, step):
    hw = H * W
    n_steps = (hw + step - 1) // step
    if mode == "del":
        start, finish = img.clone(), torch.zeros_like(img)
    else:
        start, finish = blur(img), img.clone()
    order = np.argsort(-sal.reshape(-1), kind="stable")  # highest first, ties by index
    scores = np.empty(n_steps + 1, dtype=np.float32)
    for i in range(n_steps + 1):
        with torch.no_grad():
            scores[i] = torch.softmax(net(start), dim=-1)[0, c].item()
        if i < n_steps:
            coords = order[step * i: step * (i + 1)]
            s = start.reshape(1, C, hw)
            s[0, :, coords] = finish.reshape(1, C, hw)[0, :, coords]
            start = s.reshape(1, C, H, W)
    auc = (scores.sum() - scores[0] / 2 - scores[-1] / 2) / n_steps
    return scores, float(auc)


for step in (16, 37):
    for mode in ("del", "ins"):
        curves, aucs = [], []
        for i in range(N):
            sc, a = rise_curve(mode, x[i:i + 1], mp[i], targets[i], step)
            curves.append(sc)
            aucs.append(a)
        results[f"rise_{mode}_curve_step{step}"] = np.stack(curves)
        results[f"rise_{mode}_auc_step{step}"] = aucs

for key, val in results.items():
    save(key, np.asarray(val, dtype=np.float32))

manifest = {
    "suite": "metrics",
    "generator": "tools/make_metric_goldens.py",
    "references": {
        "pytorch-grad-cam": "metrics.cam_mult_image.DropInConfidence/IncreaseInConfidence, metrics.road (ROADMostRelevantFirst(80), ROADLeastRelevantFirst(20), ROADCombined default and [20,40,60,80])",
        "torch-cam": "metrics.DeletionInsertionMetric(steps=20, batch_size=8, zero baseline), metrics.ClassificationMetric",
        "rise": "restated in this script (RISE code not available offline): gkern via scipy.ndimage.gaussian_filter, zero substrate for deletion, blur for insertion, AUC = (sum - s0/2 - sn/2)/n",
    },
    "torch": torch.__version__,
    "model": "conv1(3->6,3x3,pad1) relu maxpool2 conv2(6->8,3x3,pad1) relu mean(H,W) fc(8->5); conv2 weights x2, fc weights x8; torch.manual_seed(0)",
    "inputs": [N, C, H, W],
    "targets": targets,
    "road_noise": {"note": "torch.randn_like draws in call order, each flattened in logical (C, M) order", "sizes": draw_sizes, "calls": road_calls},
    "tolerance": 1e-4,
    "files": files,
}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("wrote", len(files), "arrays to", out)
