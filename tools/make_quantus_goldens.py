#!/usr/bin/python3
"""Golden values for Candela's Quantus metrics, from Quantus itself (Hedstrom et al., JMLR 2023).

Runs the metrics of a Quantus checkout (by path, never copied) on a small seeded CNN (the net of
tools/make_metric_goldens.py: conv relu maxpool conv relu mean fc) with fixed inputs, maps (one channel,
values in [0, 1], no ties) and box masks. Each image is scored by its own call, because Quantus
normalises the explanations of one call by the batch maximum; Candela scores one image at a time.

Debian's packages lack scikit-learn, which Quantus imports for gen_batches (and for metrics not used
here): a stand-in module in /tmp/candela_quantus_stubs provides gen_batches as scikit-learn defines it.
scipy 1.10's pearsonr has no axis argument: FaithfulnessEstimate gets Quantus's own per-row fallback.

Usage: /usr/bin/python3 tools/make_quantus_goldens.py --quantus /path/to/Quantus [--out testdata/golden/quantus]
"""
import argparse, json, os, sys, types

import numpy as np
import scipy.stats
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--quantus", default="/tmp/quantus-src")
ap.add_argument("--quantus-commit", default="85bc29d1", help="the checkout's commit, recorded in the manifest (git archive copies have no .git)")
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "testdata", "golden", "quantus"))
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
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)
N, C, H, W, K = 4, 3, 12, 12, 5


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
with torch.no_grad():
    net.conv2.weight.mul_(2.0)
    net.fc.weight.mul_(8.0)
files = {}


def save(name, arr):
    arr = np.ascontiguousarray(arr if getattr(arr, "dtype", None) == np.float64 else np.asarray(arr, dtype=np.float32))
    np.save(os.path.join(out, name + ".npy"), arr)
    files[name] = {"file": name + ".npy", "shape": list(arr.shape)}


for pname, p in net.state_dict().items():
    save("model." + pname, p.numpy())
x = torch.rand(N, C, H, W).numpy().astype(np.float32)
maps = np.random.default_rng(7).random((N, H, W)).astype(np.float32)  # continuous: no ties
boxes = [(2, 3, 8, 9), (0, 0, 5, 12), (6, 6, 12, 12), (3, 1, 10, 4)]  # x0, y0, x1, y1 (columns [x0,x1), rows [y0,y1))
masks = np.zeros((N, 1, H, W), dtype=np.float32)
for i, (x0, y0, x1, y1) in enumerate(boxes):
    masks[i, 0, y0:y1, x0:x1] = 1
with torch.no_grad():
    targets = [int(t) for t in net(torch.from_numpy(x)).argmax(1)]
targets[1] = (targets[1] + 2) % K  # one image explained for a class it does not predict
save("inputs", x)
save("maps", maps)
save("masks", masks)


def pearson_rows(a, b, batched=False, **kw):  # Quantus's own fallback for scipy without 'axis'
    if batched:
        return np.array([scipy.stats.pearsonr(aa, bb)[0] for aa, bb in zip(a, b)])
    return scipy.stats.pearsonr(a, b)[0]


cases = {}


def run(name, metric, softmax=None, **extra):
    vals = []
    for i in range(N):
        kw = dict(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                  a_batch=maps[i:i + 1, None].copy(), s_batch=masks[i:i + 1].copy(), device="cpu", channel_first=True)
        if softmax is not None:
            kw["softmax"] = softmax
        kw.update(extra)
        v = metric(**kw)
        vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
    save(name, vals)
    cases[name] = {"metric": type(metric).__name__, "softmax": softmax, "values": vals}


q = dict(disable_warnings=True, display_progressbar=False)
run("sparseness", quantus.Sparseness(**q))
run("complexity", quantus.Complexity(**q))
run("effective_complexity", quantus.EffectiveComplexity(eps=0.5, **q))
run("top_k_intersection_k20", quantus.TopKIntersection(k=20, **q))
run("relevance_rank_accuracy", quantus.RelevanceRankAccuracy(**q))
run("relevance_mass_accuracy", quantus.RelevanceMassAccuracy(**q))
run("attribution_localisation", quantus.AttributionLocalisation(**q))
# features_in_step counts (channel, pixel) elements: 3 x 8 = 24 = 8 whole pixels per step
for sm in (False, True):
    run("faithfulness_estimate_step8_" + ("softmax" if sm else "logit"),
        quantus.FaithfulnessEstimate(features_in_step=C * 8, similarity_func=pearson_rows, **q), softmax=sm)

# patch metrics: per-image curves and Quantus's get_auc_score of that one image (12 x 12 input, patch 5:
# padded to 15 with 1 / 2 rows and columns, 9 squares; patch 8: padded to 16, 4 squares)
for patch, regions in ((5, 6), (8, 100)):
    for sm in (True, False):
        tag = "p%d_%s" % (patch, "softmax" if sm else "logit")
        curves, aucs, scurves, saucs = [], [], [], []
        for i in range(N):
            kw = dict(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=maps[i:i + 1, None].copy(),
                      device="cpu", channel_first=True, softmax=sm)
            rp = quantus.RegionPerturbation(patch_size=patch, regions_evaluation=regions, **q)
            curves.append(np.asarray(rp(**kw))[0])
            aucs.append(float(rp.get_auc_score))
            se = quantus.Selectivity(patch_size=patch, **q)
            scurves.append(np.asarray(se(**kw))[0])
            saucs.append(float(se.get_auc_score))
        save("region_perturbation_curves_" + tag, np.stack(curves))
        save("region_perturbation_auc_" + tag, aucs)
        save("selectivity_curves_" + tag, np.stack(scurves))
        save("selectivity_auc_" + tag, saucs)
        cases["region_perturbation_auc_" + tag] = {"metric": "RegionPerturbation", "patch_size": patch, "regions_evaluation": regions,
                                                   "softmax": sm, "values": aucs}
        cases["selectivity_auc_" + tag] = {"metric": "Selectivity", "patch_size": patch, "softmax": sm, "values": saucs}

# NonSensitivity and Completeness: maps with exact zeros (as CAM maps after ReLU have), so both feature sets exist
maps0 = np.maximum(maps - 0.5, 0).astype(np.float32)
save("maps_relu", maps0)
for sm in (True, False):
    tag = "softmax" if sm else "logit"
    for name, metric in (("non_sensitivity_step24_" + tag, lambda: quantus.NonSensitivity(features_in_step=24, **q)),
                         ("completeness_" + tag, lambda: quantus.Completeness(**q))):
        vals = []
        for i in range(N):
            v = metric()(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=maps0[i:i + 1, None].copy(),
                         device="cpu", channel_first=True, softmax=sm)
            vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
        save(name, vals)
        cases[name] = {"metric": type(metric()).__name__, "softmax": sm, "maps": "maps_relu.npy", "values": vals}

# FaithfulnessCorrelation: its subsets come from np.random.choice(n_features, subset_size, replace=False), one per
# run; the chosen indices are recorded in order so Java replays them
_choice = np.random.choice
chosen = []


def recording_choice(*a, **k):
    v = _choice(*a, **k)
    chosen.append(np.asarray(v, dtype=np.int64).reshape(-1))
    return v


np.random.choice = recording_choice
for sm in (True, False):
    tag = "r20_s40_" + ("softmax" if sm else "logit")
    vals, picks = [], []
    for i in range(N):
        chosen.clear()
        m = quantus.FaithfulnessCorrelation(nr_runs=20, subset_size=40, similarity_func=pearson_rows, **q)
        v = m(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=maps[i:i + 1, None].copy(),
              device="cpu", channel_first=True, softmax=sm)
        vals.append(float(np.asarray(v).reshape(-1)[0]))
        picks.append(np.stack(chosen))
    save("faithfulness_correlation_" + tag, vals)
    save("faithfulness_correlation_subsets_" + tag, np.stack(picks).astype(np.float64))
    cases["faithfulness_correlation_" + tag] = {"metric": "FaithfulnessCorrelation", "nr_runs": 20, "subset_size": 40, "softmax": sm,
                                                "values": vals, "subsets": "faithfulness_correlation_subsets_" + tag + ".npy (image x run x index)"}
np.random.choice = _choice

# RandomLogit: needs an explanation function; a plain one (gradient of the class logit, channel sum) whose
# maps for the target and for the drawn other class are both saved, with the class Quantus drew
def grad_explain(model, inputs, targets, **kw):
    xx = torch.tensor(np.asarray(inputs), requires_grad=True)
    out = model(xx)
    out[torch.arange(len(targets)), torch.as_tensor(np.asarray(targets)).long()].sum().backward()
    return xx.grad.sum(1, keepdims=True).detach().numpy()


offs, a_t, a_off, vals = [], [], [], []
for i in range(N):
    rl = quantus.RandomLogit(num_classes=K, seed=42, **q)
    captured = []

    def capture(model, inputs, targets, **kw):
        captured.append(int(np.asarray(targets).reshape(-1)[0]))
        a = grad_explain(model, inputs, targets)
        a_off.append(a[0, 0])
        return a

    at = grad_explain(net, x[i:i + 1], np.array([targets[i]]))
    v = rl(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=at.copy(), device="cpu",
           channel_first=True, explain_func=capture, softmax=False)
    vals.append(float(np.asarray(v).reshape(-1)[0]))
    offs.append(captured[-1])
    a_t.append(at[0, 0])
save("random_logit", vals)
save("random_logit_maps", np.stack(a_t))
save("random_logit_off_maps", np.stack(a_off))
cases["random_logit"] = {"metric": "RandomLogit", "num_classes": K, "seed": 42, "off_classes": offs, "values": vals,
                         "maps": "random_logit_maps.npy (gradient channel sum, target)", "off_maps": "random_logit_off_maps.npy"}

# MaxSensitivity / AvgSensitivity with the same gradient explanation; their uniform noise is recorded
_u = np.random.uniform
noise = []


def rec_u(*a, **k):
    v = _u(*a, **k)
    noise.append(np.asarray(v, dtype=np.float64).reshape(-1))
    return v


np.random.uniform = rec_u
for cls in (quantus.MaxSensitivity, quantus.AvgSensitivity):
    vals, draws = [], []
    for i in range(N):
        noise.clear()
        at = grad_explain(net, x[i:i + 1], np.array([targets[i]]))
        v = cls(nr_samples=3, lower_bound=0.2, **q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                                                     a_batch=at.copy(), device="cpu", channel_first=True, explain_func=grad_explain, softmax=False)
        vals.append(float(np.asarray(v).reshape(-1)[0]))
        draws.append(np.stack(noise))
    name = cls.__name__.lower()
    save(name + "_s3", vals)
    save(name + "_s3_noise", np.stack(draws).astype(np.float64))
    cases[name + "_s3"] = {"metric": cls.__name__, "nr_samples": 3, "lower_bound": 0.2, "values": vals,
                           "explanation": "gradient of the target logit, channel sum (random_logit_maps.npy without noise)",
                           "noise": name + "_s3_noise.npy (image x sample x element, float64)"}
np.random.uniform = _u

# LocalLipschitzEstimate (Gaussian noise, std 0.1), RelativeInputStability and RelativeOutputStability (uniform
# noise in [0.02, 0.2)): the noise is recorded
_n = np.random.normal


def rec_n(*a, **k):
    v = _n(*a, **k)
    noise.append(np.asarray(v, dtype=np.float64).reshape(-1))
    return v


np.random.uniform, np.random.normal = rec_u, rec_n
for cls, kwargs in ((quantus.LocalLipschitzEstimate, {}), (quantus.RelativeInputStability, {}), (quantus.RelativeOutputStability, {})):
    vals, draws = [], []
    for i in range(N):
        noise.clear()
        at = grad_explain(net, x[i:i + 1], np.array([targets[i]]))
        v = cls(nr_samples=3, **kwargs, **q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                                             a_batch=at.copy(), device="cpu", channel_first=True, explain_func=grad_explain, softmax=False)
        vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
        draws.append(np.stack(noise))
    name = cls.__name__.lower()
    save(name + "_s3", vals)
    save(name + "_s3_noise", np.stack(draws).astype(np.float64))
    cases[name + "_s3"] = {"metric": cls.__name__, "nr_samples": 3, "softmax": False, "values": vals,
                           "explanation": "gradient of the target logit, channel sum", "noise": name + "_s3_noise.npy (float64)"}
np.random.uniform, np.random.normal = _u, _n

# Infidelity (Quantus's: "black" replacement of patches in grid order, cumulative; deterministic)
for patch in (4, 6):
    for sm in (True, False):
        tag = "p%d_%s" % (patch, "softmax" if sm else "logit")
        vals = []
        for i in range(N):
            v = quantus.Infidelity(perturb_patch_sizes=[patch], n_perturb_samples=2, **q)(
                model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=maps[i:i + 1, None].copy(),
                device="cpu", channel_first=True, softmax=sm)
            vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
        save("infidelity_" + tag, vals)
        cases["infidelity_" + tag] = {"metric": "Infidelity", "perturb_patch_sizes": [patch], "softmax": sm, "values": vals}

# Continuity: 6 steps of (2 * 12 + 1) // 6 = 4 columns (shifts -8, -4, 0, 4, 8, 12); Quantus's default 28 steps
# would shift by 0 columns on a 12-px input, and a step count dividing 2W + 1 makes it fail
vals = []
for i in range(N):
    v = quantus.Continuity(nr_steps=6, **q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                                            a_batch=None, device="cpu", channel_first=True, explain_func=grad_explain, softmax=False)
    vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
save("continuity_s6", vals)
cases["continuity_s6"] = {"metric": "Continuity", "nr_steps": 6, "values": vals, "explanation": "gradient of the target logit, channel sum"}

# EfficientMPRT (every layer randomised, bottom-up, seed 42, skip_layers): the fully randomised model's weights are
# saved (Quantus's own generator, last model) so Java explains with the same random model
vals = []
for i in range(N):
    at = grad_explain(net, x[i:i + 1], np.array([targets[i]]))
    v = quantus.EfficientMPRT(**q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=at.copy(),
                                   device="cpu", channel_first=True, explain_func=grad_explain, softmax=True)  # softmax: its model entropy
    vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
save("efficient_mprt", vals)
wrapped = quantus.helpers.model.pytorch_model.PyTorchModel(net, channel_first=True, softmax=False, device="cpu")
random_model = None
for _, random_model in wrapped.get_random_layer_generator(order="bottom_up", seed=42):
    pass
for pname, p in random_model.state_dict().items():
    save("random_model." + pname, p.detach().numpy())
save("entropy_maps", [quantus.functions.complexity_func.discrete_entropy(a=maps[i], x=None) for i in range(N)])
cases["efficient_mprt"] = {"metric": "EfficientMPRT", "layer_order": "bottom_up", "seed": 42, "values": vals,
                           "random_model": "random_model.*.npy (Quantus's fully randomised net)",
                           "explanation": "gradient of the target logit, channel sum"}

# InputInvariance (shift -1, Quantus's shifted first layer): on the net (padded conv1: the shift is compensated only
# where conv1's response is smallest) and on a variant whose conv1 has no padding (compensated everywhere)
class NetNoPad(Net):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=0)


nopad = NetNoPad().eval()
nopad.load_state_dict(net.state_dict())
# Quantus's InputInvariance leaves the first input element unshifted (its perturb_batch index handling, seen at this
# commit: 431 of 432 elements get the shift), so its own verdict mixes that defect in ("quantus_call" below, for the
# record). The golden is made from Quantus's parts with the shift applied to every element: its shifted first layer
# (add_mean_shift_to_first_layer, whose biases are saved) and np.isclose(atol=1e-4) as InputInvariance compares.
for tag, model in (("padded", net), ("unpadded", nopad)):
    vals, direct = [], []
    shifted = quantus.helpers.model.pytorch_model.PyTorchModel(model, channel_first=True, softmax=False, device="cpu") \
        .add_mean_shift_to_first_layer(-1, (1, C, H, W))
    save("input_invariance_%s_conv1_bias" % tag, shifted.conv1.bias.detach().numpy())
    for i in range(N):
        at = grad_explain(model, x[i:i + 1], np.array([targets[i]]))
        a_s = grad_explain(shifted, x[i:i + 1] - 1, np.array([targets[i]]))
        vals.append(float(np.all(np.isclose(at, a_s, atol=1e-04))))
        v = quantus.InputInvariance(**q)(model=model, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=at.copy(),
                                         device="cpu", channel_first=True, explain_func=grad_explain, softmax=False)
        direct.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
    save("input_invariance_" + tag, vals)
    cases["input_invariance_" + tag] = {"metric": "InputInvariance (parts)", "input_shift": -1, "conv1_padding": 1 if tag == "padded" else 0,
                                        "values": vals, "quantus_call": direct, "explanation": "gradient of the target logit, channel sum"}

# SmoothMPRT explains through quantus.explain (Captum / Zennit, not in Debian): that one call is pointed at the
# gradient explanation above (inputs cast to float32, as the noisy inputs are float64); the metric's own logic
# (noise, averaging, bottom-up cascade with Quantus's randomisation, Spearman) runs unchanged. Its noise
# (np.random.randn) is recorded, and the cascade's models are saved stage by stage.
import quantus.metrics.randomisation.smooth_mprt as smooth_mod  # noqa: E402
_explain = smooth_mod.quantus.explain
smooth_mod.quantus.explain = lambda model, inputs, targets, **kw: grad_explain(model, np.asarray(inputs, dtype=np.float32), targets)
_randn = np.random.randn
noise.clear()


def rec_randn(*a):
    v = _randn(*a)
    noise.append(np.asarray(v, dtype=np.float64).reshape(-1))
    return v


np.random.randn = rec_randn
layers_sim, draws = [], []
for i in range(N):
    noise.clear()
    at = grad_explain(net, x[i:i + 1], np.array([targets[i]]))
    v = quantus.SmoothMPRT(nr_samples=3, **q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=at.copy(),
                                              device="cpu", channel_first=True, explain_func=grad_explain, softmax=False)
    keys = list(v.keys())
    layers_sim.append([float(v[k][0]) for k in keys])
    draws.append(np.stack(noise))
smooth_mod.quantus.explain = _explain
np.random.randn = _randn
save("smooth_mprt_similarities", layers_sim)
save("smooth_mprt_noise", np.stack(draws).astype(np.float64))
stage = 0
for name, m in quantus.helpers.model.pytorch_model.PyTorchModel(net, channel_first=True, softmax=False, device="cpu") \
        .get_random_layer_generator(order="bottom_up", seed=42):
    stage += 1
    for pname, p in m.state_dict().items():
        save("smooth_mprt_stage%d.%s" % (stage, pname), p.detach().numpy())
cases["smooth_mprt"] = {"metric": "SmoothMPRT", "values": [float(np.mean(r[1:])) for r in layers_sim],
                        "values_note": "mean over the randomised stages (Candela's smooth-mprt); Quantus's return_average_correlation "
                                       "also averages in 'original', as it skips a key named 'orig'", "nr_samples": 3, "noise_magnitude": 0.1, "layer_order": "bottom_up", "seed": 42,
                        "keys": keys, "similarities": layers_sim, "stages": stage,
                        "noise": "smooth_mprt_noise.npy (image x draw x element; per model: nr_samples - 1 draws, the last sample noiseless)",
                        "explanation": "gradient of the target logit, channel sum (quantus.explain pointed at it)"}

# MonotonicityCorrelation (Nguyen): its "uniform" baseline draws np.random.uniform(0, 1, size=batch) once per
# perturbation; the draws are recorded (in order: step by step, sample by sample) so Java replays them
_uniform = np.random.uniform
recorded = []


def recording_uniform(*a, **k):
    v = _uniform(*a, **k)
    recorded.append(np.asarray(v, dtype=np.float64).reshape(-1))
    return v


np.random.uniform = recording_uniform
for sm in (True, False):
    tag = "step8_s3_" + ("softmax" if sm else "logit")
    vals, draws = [], []
    for i in range(N):
        recorded.clear()
        m = quantus.MonotonicityCorrelation(features_in_step=C * 8, nr_samples=3, **q)
        v = m(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]), a_batch=maps[i:i + 1, None].copy(),
              device="cpu", channel_first=True, softmax=sm)
        vals.append(float(np.asarray(v).reshape(-1)[0]))
        draws.append(np.concatenate(recorded))
    save("monotonicity_nguyen_" + tag, vals)
    save("monotonicity_nguyen_draws_" + tag, np.stack(draws).astype(np.float64))
    cases["monotonicity_nguyen_" + tag] = {"metric": "MonotonicityCorrelation", "features_in_step": C * 8, "nr_samples": 3,
                                           "softmax": sm, "values": vals, "draws": "monotonicity_nguyen_draws_" + tag + ".npy (float64)"}
np.random.uniform = _uniform

# IROF (Rieger & Hansen 2020) segments each image with skimage's SLIC (Quantus's get_superpixel_segments:
# slic(image H x W x C as float64, start_label=0), every other argument at its default). Its labels are saved for
# the golden inputs (12 x 12 with 100 segments: one pixel each) and for larger images where SLIC does real work.
from skimage.segmentation import slic  # noqa: E402
import skimage  # noqa: E402
from quantus.functions.perturb_func import baseline_replacement_by_mask  # noqa: E402

rs = np.random.default_rng(11)
yy, xx = np.mgrid[0:48, 0:36].astype(np.float32)
slic_images = {
    # 4 x 4 blocks of random colours, 8 px each, with noise
    "blocks": np.clip(np.kron(rs.random((3, 4, 4)), np.ones((1, 8, 8))) + 0.05 * rs.standard_normal((3, 32, 32)), 0, 1),
    "noise": rs.random((3, 24, 40)),  # uniform noise, not square
    "smooth": np.stack([(xx / 35), (yy / 47), 0.5 + 0.5 * np.sin(xx / 5.0) * np.cos(yy / 7.0)]),
}
from PIL import Image  # noqa: E402
img = Image.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "images", "chelsea.png")).convert("RGB")
wd, ht = img.size
side = min(wd, ht)
img = img.crop(((wd - side) // 2, (ht - side) // 2, (wd - side) // 2 + side, (ht - side) // 2 + side)).resize((64, 64), Image.BILINEAR)
slic_images["chelsea64"] = np.moveaxis(np.asarray(img, dtype=np.float32) / 255, -1, 0)
slic_names = list(slic_images)
for name in slic_names:
    im = np.ascontiguousarray(slic_images[name], dtype=np.float32)
    slic_images[name] = im
    save("slic_image_" + name, im)
    labels = quantus.helpers.utils.get_superpixel_segments(img=np.moveaxis(im, 0, -1).astype("double"), segmentation_method="slic")
    assert np.array_equal(labels, slic(np.moveaxis(im, 0, -1).astype("double"), start_label=0))
    save("slic_labels_" + name, labels.astype(np.float32))
    print("slic %-10s %s: %d segments" % (name, im.shape, len(np.unique(labels))))
# a 224 x 224 image given by a formula (integer arithmetic, then float64, then float32: the same bits in Java), the
# size evaluate meets: blocks of 28 x 32 pixels with hashed noise; only its labels are saved
yi, xi = np.mgrid[0:224, 0:224].astype(np.int64)
synth = np.stack([(0.8 * ((((xi // 28) * 37 + (yi // 32) * 11 + ch * 5) % 17) / 17.0)
                   + 0.2 * (((xi * 7919 + yi * 104729 + ch * 15485863) % 1000) / 1000.0)) for ch in range(3)]).astype(np.float32)
synth_labels = slic(np.moveaxis(synth, 0, -1).astype("double"), start_label=0)
save("slic_labels_synthetic224", synth_labels.astype(np.float32))
print("slic synthetic224: %d segments" % len(np.unique(synth_labels)))
save("slic_labels_inputs", np.stack([slic(np.moveaxis(x[i], 0, -1).astype("double"), start_label=0) for i in range(N)]).astype(np.float32))
cases["slic"] = {"function": "skimage.segmentation.slic(image, start_label=0) (Quantus get_superpixel_segments)", "skimage": skimage.__version__,
                 "images": ["slic_image_%s.npy (C x H x W float32; labels slic_labels_%s.npy)" % (n, n) for n in slic_names],
                 "inputs": "slic_labels_inputs.npy (the golden inputs: 12 x 12 with 100 segments, one pixel each)",
                 "synthetic224": "slic_labels_synthetic224.npy: image[c, y, x] = float32(0.8 * (((x // 28) * 37 + (y // 32) * 11 + 5c) % 17) / 17 "
                                 "+ 0.2 * ((7919x + 104729y + 15485863c) % 1000) / 1000)", "values": []}


# Quantus's IROF removes a segment with baseline_replacement_by_mask, whose mask it builds with one channel
# ((B, 1, H, W)) while the input has C: on a 3-channel input the call fails its shape assertion (at this commit it
# works on one-channel inputs only). The golden call passes the same function with the mask broadcast over the
# channels (a superpixel removed in every channel, as Rieger & Hansen describe); the rest of IROF runs unchanged.
def mask_all_channels(arr, mask, **kw):
    return baseline_replacement_by_mask(arr=arr, mask=np.broadcast_to(mask, arr.shape), **kw)


try:
    quantus.IROF(**q)(model=net, x_batch=x[:1].copy(), y_batch=np.array(targets[:1]), a_batch=maps[:1, None].copy(), device="cpu", channel_first=True)
    irof_plain = "ran"
except AssertionError as e:
    irof_plain = "AssertionError: %s" % e
for sm in (True, False):
    tag = "softmax" if sm else "logit"
    vals = []
    for i in range(N):
        v = quantus.IROF(perturb_func=mask_all_channels, **q)(model=net, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                                                               a_batch=maps[i:i + 1, None].copy(), device="cpu", channel_first=True, softmax=sm)
        vals.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
    save("irof_" + tag, vals)
    cases["irof_" + tag] = {"metric": "IROF", "perturb_baseline": "mean", "softmax": sm, "values": vals,
                            "perturb_func": "baseline_replacement_by_mask with the mask broadcast over channels", "quantus_call": irof_plain}
# IROF on the larger SLIC images (the net is fully convolutional up to its mean): real superpixels; maps seeded
irof_targets, vals_sm, vals_lg = [], [], []
for k, name in enumerate(slic_names):
    im = slic_images[name]
    m = np.random.default_rng(20 + k).random(im.shape[1:]).astype(np.float32)
    save("irof_map_" + name, m)
    with torch.no_grad():
        t = int(net(torch.from_numpy(im[None])).argmax(1)[0])
    irof_targets.append(t)
    for sm, dest in ((True, vals_sm), (False, vals_lg)):
        v = quantus.IROF(perturb_func=mask_all_channels, **q)(model=net, x_batch=im[None].copy(), y_batch=np.array([t]),
                                                               a_batch=m[None, None].copy(), device="cpu", channel_first=True, softmax=sm)
        dest.append(float(np.asarray(v, dtype=np.float64).reshape(-1)[0]))
for sm, vals in ((True, vals_sm), (False, vals_lg)):
    tag = "softmax" if sm else "logit"
    save("irof_slic_" + tag, vals)
    cases["irof_slic_" + tag] = {"metric": "IROF", "images": slic_names, "maps": "irof_map_<image>.npy", "targets": irof_targets,
                                 "softmax": sm, "values": vals, "perturb_func": "as irof_" + tag}


# Monotonicity (Arya et al. 2019): starting from an all-baseline image, features are added in order of increasing
# |attribution|, features_in_step at a time, and the score must never decrease. Quantus's loop "adds" a step by
# calling its perturb_func (batch_baseline_replacement_by_indices) on the baseline image, which writes the baseline of
# that image (for "black": its minimum, i.e. the baseline again) at the step's indices: the image never changes and
# every verdict is True ("quantus_call" below). The golden runs Quantus's loop with a perturb_func that writes the
# input's own values at those indices (AIX360's monotonicity_metric, which Quantus cites, does x_copy[ind] = x[ind]).
class Recorder(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f
        self.out = []

    def forward(self, t):
        o = self.f(t)
        self.out.append(o.detach().numpy().copy())
        return o


def insert_input(xb):
    flat = xb.reshape(xb.shape[0], -1)

    def f(arr, indices, **kw):
        out = arr.copy()
        rows = np.arange(arr.shape[0])[:, None]
        out[rows, indices] = flat[rows, indices]
        return out
    return f


# maps: the fixed maps, their reverse, seeded random ones, and "insertion" maps (each pixel's target logit when it
# alone, all channels, is put into the black image, scaled to [0, 1]: more often monotone, so both verdicts occur)
ins = np.zeros((N, H, W), dtype=np.float32)
with torch.no_grad():
    for i in range(N):
        b = np.full((H * W, C, H, W), x[i].min(), dtype=np.float32)
        for p in range(H * W):
            b[p, :, p // W, p % W] = x[i, :, p // W, p % W]
        s = net(torch.from_numpy(b))[:, targets[i]].numpy().astype(np.float64)
        ins[i] = ((s - s.min()) / (s.max() - s.min())).reshape(H, W).astype(np.float32)
arya_maps = {"maps": maps, "reversed": (1 - maps).astype(np.float32), "random": np.random.default_rng(12).random((N, H, W)).astype(np.float32),
             "insertion": ins}
for k in ("reversed", "random", "insertion"):
    save("arya_maps_" + k, arya_maps[k])
plain = []
for i in range(N):
    rec = Recorder(net).eval()
    v = quantus.Monotonicity(features_in_step=C * 8, **q)(model=rec, x_batch=x[i:i + 1].copy(), y_batch=np.array([targets[i]]),
                                                           a_batch=maps[i:i + 1, None].copy(), device="cpu", channel_first=True)
    outs = np.stack([o[0, targets[i]] for o in rec.out])
    plain.append([float(np.asarray(v).reshape(-1)[0]), float(outs.max() - outs.min())])
for mname, mm in arya_maps.items():
    for step in (8, 24, 48):  # Quantus wants C x step to divide H x W = 144
        for sm in (True, False):
            tag = "%s_step%d_%s" % (mname, step, "softmax" if sm else "logit")
            vals, curves = [], []
            for i in range(N):
                rec = Recorder(net).eval()
                xb = x[i:i + 1].copy()
                v = quantus.Monotonicity(features_in_step=C * step, perturb_func=insert_input(xb), **q)(
                    model=rec, x_batch=xb, y_batch=np.array([targets[i]]), a_batch=mm[i:i + 1, None].copy(), device="cpu",
                    channel_first=True, softmax=sm)
                vals.append(float(np.asarray(v).reshape(-1)[0]))
                curves.append(np.stack([o[0, targets[i]] for o in rec.out]).astype(np.float64))  # logits, one per step
            save("monotonicity_arya_" + tag, vals)
            save("monotonicity_arya_logits_" + tag, np.stack(curves))
            cases["monotonicity_arya_" + tag] = {"metric": "Monotonicity", "features_in_step": C * step, "perturb_baseline": "black",
                                                 "maps": mname, "softmax": sm, "values": vals,
                                                 "perturb_func": "writes the input's values at the step's indices",
                                                 "logits": "monotonicity_arya_logits_" + tag + ".npy (the target logit after each step)"}
cases["monotonicity_arya_quantus_call"] = {"metric": "Monotonicity (Quantus's own perturb_func)", "features_in_step": C * 8,
                                           "values": [p[0] for p in plain], "logit_range": [p[1] for p in plain],
                                           "note": "the input never leaves the baseline: the logits are constant and every verdict is 1"}


# The shared MobileNet (when ../shared is there) on testdata/images/chelsea.png (centre square, bilinear 224 without
# antialias, pixel/127.5 - 1), class 281, a fixed smooth map given by a formula (computed in float32 here and in Java),
# the box of testdata/annotations/imagenet-photos.csv: a check at full size (224 x 224 x 3) of the score metrics
shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models", "mobilenet_v1_0.25_224_imagenet.onnx")
if os.path.exists(shared):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from onnx_torch import OnnxTorch  # noqa: E402
    from PIL import Image  # noqa: E402

    class Wrapped(nn.Module):
        def __init__(self, f):
            super().__init__()
            self.f = f

        def forward(self, t):
            return self.f(t)

    mob = Wrapped(OnnxTorch(shared)).eval()
    img = Image.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "images", "chelsea.png")).convert("RGB")
    wd, ht = img.size
    side = min(wd, ht)
    img = img.crop(((wd - side) // 2, (ht - side) // 2, (wd - side) // 2 + side, (ht - side) // 2 + side))
    t = torch.from_numpy(np.asarray(img, dtype=np.float32).copy()).permute(2, 0, 1)[None]
    xm = (nn.functional.interpolate(t, size=(224, 224), mode="bilinear", align_corners=False) / 127.5 - 1).numpy()
    yy, xx = np.mgrid[0:224, 0:224].astype(np.float32)
    mm = (np.exp(-((xx - 120) ** 2 + (yy - 100) ** 2) / np.float32(2 * 40 ** 2)) + np.float32(1e-3) * ((xx * 7 + yy * 13) % 17) / np.float32(17)).astype(np.float32)
    box = (0, 0, 200, 224)
    sm = np.zeros((1, 1, 224, 224), dtype=np.float32)
    sm[0, 0, box[1]:box[3], box[0]:box[2]] = 1
    kw = dict(model=mob, x_batch=xm.copy(), y_batch=np.array([281]), a_batch=mm[None, None].copy(), device="cpu", channel_first=True)
    mv = {
        # (FaithfulnessEstimate cannot take whole pixels here: Quantus wants features_in_step to divide H*W = 50176,
        # which no multiple of 3 does)
        "region_perturbation_p16_r20": None,
        "selectivity_p56": None,
        "infidelity_p56": quantus.Infidelity(perturb_patch_sizes=[56], n_perturb_samples=1, **q)(**kw, softmax=True),
        "relevance_mass_accuracy": quantus.RelevanceMassAccuracy(**q)(**kw, s_batch=sm),
        "sparseness": quantus.Sparseness(**q)(**kw),
    }
    rp = quantus.RegionPerturbation(patch_size=16, regions_evaluation=20, **q)
    rp(**kw, softmax=True)
    mv["region_perturbation_p16_r20"] = rp.get_auc_score
    se = quantus.Selectivity(patch_size=56, **q)
    se(**kw, softmax=True)
    mv["selectivity_p56"] = se.get_auc_score
    with torch.no_grad():
        logits = mob(torch.from_numpy(xm))[0]
    mv = {k: float(np.asarray(v, dtype=np.float64).reshape(-1)[0]) for k, v in mv.items()}
    save("mobilenet_chelsea_values", list(mv.values()))
    cases["mobilenet_chelsea"] = {"model": "../shared/models/mobilenet_v1_0.25_224_imagenet.onnx (ONNX run in PyTorch by tools/onnx_torch.py)",
                                  "image": "testdata/images/chelsea.png", "target": 281, "box": box, "softmax": True,
                                  "map": "exp(-((x-120)^2 + (y-100)^2) / (2*40^2)) + 1e-3 * ((7x + 13y) mod 17) / 17, float32",
                                  "names": list(mv.keys()), "values": list(mv.values()), "top1": int(logits.argmax()),
                                  "tolerance_note": "relative 1e-3: a real network's float32 forward in two implementations"}

manifest = {"made_by": "tools/make_quantus_goldens.py", "quantus_path": os.path.abspath(args.quantus),
            "quantus_version": getattr(quantus, "__version__", "unknown"), "quantus_commit": args.quantus_commit, "torch": torch.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__,
            "tolerance": 1e-4, "tolerance_note": "absolute; float32 forwards in PyTorch and Candela differ in the last bits",
            "targets": targets, "boxes": boxes, "files": files, "cases": cases}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
for k, v in cases.items():
    print("%-40s %s" % (k, ["%.5f" % t for t in v["values"]]))
