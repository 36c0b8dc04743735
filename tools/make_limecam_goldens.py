#!/usr/bin/python3
"""Goldens for Candela's LIME-CAM, produced by the LIFT-CAM authors' own lime_cam (Jung & Oh, ICCV 2021,
github.com/Hyungsik-Jung/LIFT-CAM, Explanation.py) run on Captum 0.4.0 (the version its requirements.txt
pins). Both are run by path from the fetched mirrors (git archive into a temporary folder); nothing of
either is copied into the repository.

What the authors' lime_cam does (Captum 0.4.0 Lime defaults, nothing overridden but these):
  Lime(Model_Part).attribute(A, baselines=0, feature_mask = channel index, n_samples = K (the number of
  channels), target = class, return_input_shape=False)
  - coalitions: torch.bernoulli(0.5) over the K channels, one row per sample (torch's global RNG);
  - perturbed input: A_k kept where z_k = 1, the zero baseline elsewhere; score = the class logit of the
    head F (Model_Part: what follows the layer);
  - weight: exp(-d^2 / (2 * 1.0^2)), d = 1 - cosine(A, perturbed A) (float32, eps 1e-8);
  - surrogate: sklearn Lasso(alpha=0.01) fitted on (z, score) with sample_weight = weight (intercept fitted);
  - coefficients (as float32) are the channel weights: ReLU(sum_k c_k A_k), bilinear to the image,
    min-max (CAM_Explanation).
The draws are torch's, so the goldens record them (the coalitions, the scores, the weights, sklearn's fit)
and the Java test replays the coalitions through the registered method.

Models and inputs are testdata/golden/attribution's (the two tiny torchvision VGG / ResNet instances of
tools/make_attribution_goldens.py, rebuilt from the stored weights; inputs x.npy; the LIFT-CAM classes).

Usage: /usr/bin/python3 tools/make_limecam_goldens.py [outdir]     (default testdata/golden/limecam)
  env LIFT_CAM_MIRROR (default /work/.mirror/Hyungsik-Jung+LIFT-CAM/repo), CAPTUM_MIRROR
  (default /work/.mirror/pytorch+captum/repo), CAPTUM_REF (default refs/tags/v0.4.0)
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
import sklearn.linear_model
import torch
import torch.nn.functional as F
import torchvision

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
ATTR = os.path.join(ROOT, "testdata", "golden", "attribution")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "testdata", "golden", "limecam")
LIFT_CAM = os.environ.get("LIFT_CAM_MIRROR", "/work/.mirror/Hyungsik-Jung+LIFT-CAM/repo")
CAPTUM = os.environ.get("CAPTUM_MIRROR", "/work/.mirror/pytorch+captum/repo")
CAPTUM_REF = os.environ.get("CAPTUM_REF", "refs/tags/v0.4.0")
SEED = 17


def checkout(git_dir, ref, paths, into):
    os.makedirs(into, exist_ok=True)
    archive = subprocess.run(["git", "--git-dir", git_dir, "archive", ref] + paths, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return subprocess.run(["git", "--git-dir", git_dir, "rev-parse", ref + "^{commit}"], check=True,
                          capture_output=True, text=True).stdout.strip()


REFS = tempfile.mkdtemp(prefix="candela-limecam-refs-")
atexit.register(shutil.rmtree, REFS, True)
CAPTUM_COMMIT = checkout(CAPTUM, CAPTUM_REF, ["captum"], os.path.join(REFS, "captum"))
LIFT_CAM_COMMIT = checkout(LIFT_CAM, "HEAD", ["Explanation.py", "utils.py"], os.path.join(REFS, "LIFT-CAM"))
sys.path.insert(0, os.path.join(REFS, "captum"))
sys.path.insert(0, os.path.join(REFS, "LIFT-CAM"))
sys.path.insert(0, TOOLS)

import captum  # noqa: E402
import captum.attr._core.lime as captum_lime  # noqa: E402
from captum.attr import Lime  # noqa: E402
from captum._utils.models.linear_model import SkLearnLasso  # noqa: E402

torch.Tensor.cuda = lambda self, *a, **k: self  # the authors' code calls .cuda(); this machine has no GPU
import Explanation as official  # noqa: E402
import utils as official_utils  # noqa: E402

_argv, sys.argv = sys.argv, sys.argv[:1]
import make_attribution_goldens as mag  # noqa: E402  (the model definitions only)
sys.argv = _argv

torch.set_num_threads(1)


# ---------------------------------------------------------------- recording what Captum drew and fitted
class Recorder:
    def __init__(self):
        self.coalitions, self.fits = [], []


REC = Recorder()
ORIGINAL_PERTURB = captum_lime.default_perturb_func
ORIGINAL_LASSO = sklearn.linear_model.Lasso


def recording_perturb(original_inp, **kwargs):
    z = ORIGINAL_PERTURB(original_inp, **kwargs)
    REC.coalitions.append(z.clone())
    return z


class RecordingLasso(ORIGINAL_LASSO):
    """sklearn's Lasso unchanged; the data it is fitted on and its result are kept."""

    def fit(self, X, y, sample_weight=None, check_input=True):
        r = super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        REC.fits.append({"X": np.array(X, dtype=np.float64), "y": np.array(y, dtype=np.float64),
                         "w": np.array(sample_weight, dtype=np.float64), "coef": np.array(self.coef_, dtype=np.float64),
                         "intercept": float(self.intercept_), "n_iter": int(self.n_iter_), "alpha": self.alpha,
                         "dual_gap": float(self.dual_gap_)})
        return r


# Lime.__init__ reads default_perturb_func from its module at call time; Captum's trainer looks the
# sklearn class up by name in sklearn.linear_model when it fits.
captum_lime.default_perturb_func = recording_perturb
sklearn.linear_model.Lasso = RecordingLasso


# ---------------------------------------------------------------- models, inputs
def load(model, name):
    sd = {}
    for k, v in model.state_dict().items():
        p = os.path.join(ATTR, name, k + ".npy")
        sd[k] = torch.from_numpy(np.load(p)) if os.path.exists(p) else v
    model.load_state_dict(sd)
    return model.eval()


def save(name, a, dtype=np.float32):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    np.save(os.path.join(OUT, name + ".npy"), a.astype(dtype))
    return name + ".npy"


def activation(model, xi):
    acts = []
    mod = model.features[-2] if isinstance(model, torchvision.models.vgg.VGG) else model.layer4
    h = mod.register_forward_hook(lambda m, inp, out: acts.append(out.detach()))
    with torch.no_grad():
        model(xi)
    h.remove()
    return acts[0]


def record_case(tag, run):
    """Runs `run` under a fixed torch seed, returns its result and what Captum drew and fitted."""
    REC.coalitions, REC.fits = [], []
    torch.manual_seed(SEED)
    out = run()
    assert len(REC.fits) == 1, "one Lime fit expected, got %d" % len(REC.fits)
    z = torch.cat(REC.coalitions).numpy()
    f = REC.fits[0]
    assert np.array_equal(f["X"], z.astype(np.float64)), tag + ": Lasso was not fitted on the recorded coalitions"
    return out, z, f


def case_files(tag, z, f, act, raw, final):
    return {"coalitions": save(tag + "_z", z, np.int32), "scores": save(tag + "_y", f["y"], np.float64),
            "weights": save(tag + "_w", f["w"], np.float64), "coefficients": save(tag + "_coef", f["coef"], np.float64),
            "intercept": f["intercept"], "lasso_iterations": f["n_iter"], "dual_gap": f["dual_gap"],
            "activation": save(tag + "_act", act[0]), "raw_map": save(tag + "_raw", raw), "map": save(tag + "_map", final)}


def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    attr = json.load(open(os.path.join(ATTR, "manifest.json")))
    classes = {(c["model"], c["item"]): c["class"] for c in attr["cases"] if c["kind"] == "lift-cam"}
    models = {"vgg": load(mag.vgg_model(1), "vgg"), "resnet": load(mag.resnet_model(2), "resnet")}
    layers = {"vgg": "features.7", "resnet": "layer4"}
    cases = []
    for name, model in models.items():
        for i in range(2):
            xi, cls = x[i:i + 1], classes[(name, i)]
            act = activation(model, xi)
            tag = "%s_%d" % (name, i)
            # the authors' entry point (CAM_Explanation: lime_cam, bilinear to the image, min-max) ...
            final, z, f = record_case(tag, lambda: official.CAM_Explanation(model, "LIME-CAM")(xi, cls, (16, 16)))
            # ... and lime_cam alone for the raw map, with the same draws
            raw, z2, f2 = record_case(tag, lambda: official.lime_cam(model, xi, cls))
            assert np.array_equal(z, z2) and np.array_equal(f["coef"], f2["coef"]), tag + ": draws not reproducible"
            c = {"kind": "official", "model": name, "item": i, "class": cls, "layer": layers[name],
                 "channels": int(act.shape[1]), "samples": int(z.shape[0]), "kernel_width": 1.0, "alpha": 0.01}
            c.update(case_files(tag, z, f, act, raw[0, 0], final[0, 0]))
            cases.append(c)
    # The same Lime with other options (Candela's n-samples, kernel-width and alpha), on the VGG, item 0:
    # Captum's own Lime with get_exp_kernel_similarity_function("cosine", 0.5) and SkLearnLasso(alpha=0.002),
    # 40 samples; the map is made as the authors' lime_cam and CAM_Explanation make it.
    model, i = models["vgg"], 0
    xi, cls = x[i:i + 1], classes[("vgg", i)]
    act = activation(model, xi)
    part = official.Model_Part(model).eval()
    mask = torch.arange(act.shape[1]).view(1, -1, 1, 1).expand_as(act).long()

    def options_run():
        lime = Lime(part, interpretable_model=SkLearnLasso(alpha=0.002),
                    similarity_func=captum_lime.get_exp_kernel_similarity_function("cosine", 0.5))
        return lime.attribute(act, baselines=torch.zeros_like(act), n_samples=40, target=cls, feature_mask=mask,
                              return_input_shape=False)

    coefs, z, f = record_case("vgg_0_options", options_run)
    raw = F.relu((coefs[0][None, :, None, None] * act).sum(dim=1, keepdim=True)).float()
    final = official_utils.min_max_normalize(F.interpolate(raw, size=(16, 16), mode="bilinear"))
    c = {"kind": "options", "model": "vgg", "item": i, "class": cls, "layer": layers["vgg"], "channels": int(act.shape[1]),
         "samples": 40, "kernel_width": 0.5, "alpha": 0.002}
    c.update(case_files("vgg_0_options", z, f, act, raw[0, 0], final[0, 0]))
    cases.append(c)
    manifest = {
        "generator": "tools/make_limecam_goldens.py",
        "reference": {"lift_cam": "github.com/Hyungsik-Jung/LIFT-CAM Explanation.py lime_cam / CAM_Explanation @ " + LIFT_CAM_COMMIT,
                      "captum": captum.__version__ + " @ " + CAPTUM_COMMIT + " (" + CAPTUM_REF + ")",
                      "sklearn": sklearn.__version__, "torch": torch.__version__, "numpy": np.__version__},
        "models": "testdata/golden/attribution/<model>/*.npy (tools/make_attribution_goldens.py); input x.npy there",
        "seed": "torch.manual_seed(%d) before each call; the draws are recorded: replay the coalitions" % SEED,
        "arrays": {"coalitions": "samples x K int32, 1 = channel kept (torch.bernoulli(0.5) rows, in draw order)",
                   "scores": "float64: the class logit of the head on each masked activation",
                   "weights": "float64: exp(-d^2 / (2 width^2)), d = 1 - cos(A, masked A) (float32 in Captum)",
                   "coefficients": "float64: sklearn Lasso(alpha) coef_ fitted with sample_weight = weights",
                   "activation": "K x h x w: the layer's activation (A)",
                   "raw_map": "h x w: ReLU(sum_k float32(coef_k) A_k)",
                   "map": "16 x 16: bilinear (align_corners=False) then min-max, CAM_Explanation"},
        "tolerances": {"scores": "rel 1e-5 of max |golden|", "weights": "abs 1e-6",
                       "coefficients": "abs 1e-5 of max |golden| (the Lasso's stopping rule is the reference's; float rounding only)",
                       "raw_map": "abs 1e-4 of max |golden|", "map": "abs 1e-4"},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    for c in cases:
        print(c["model"], c["item"], c["kind"], "class", c["class"], "samples", c["samples"], "lasso iterations",
              c["lasso_iterations"], "coef", np.load(os.path.join(OUT, c["coefficients"])).round(4).tolist())


if __name__ == "__main__":
    main()
