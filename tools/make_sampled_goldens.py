#!/usr/bin/python3
"""Golden outputs for Candela's sampling methods, from their reference implementations run by path:

  occlusion      Captum's Occlusion (mirror of pytorch/captum, checked out to a temporary folder)
  gradient-shap  Captum's GradientShap, with the exact random draws Candela makes from its seed replayed:
                 np.random.choice (baseline indices), torch.normal (noise) and np.random.uniform (points on
                 the path) are patched, only while Captum runs, to return the draws of java.util.Random(seed)
                 (tools/java_random.py) in the order the Java code makes them
  rise           the RISE authors' code (eclique/RISE explanations.py, class RISE), with np.random.rand and
                 np.random.randint patched to return the draws of java.util.Random(seed), .cuda() a no-op,
                 and the model wrapped in a Softmax as the authors do; masks made by their generate_masks
                 (skimage resize, order 1, mode 'reflect', no anti-aliasing)

Models and input: the seeded VGG- and ResNet-like models and x.npy (2 x 3 x 16 x 16) of
tools/make_attribution_goldens.py (testdata/golden/attribution), weights loaded from its .npy files.
Nothing of Captum or RISE is copied into the repository.

Usage: /usr/bin/python3 tools/make_sampled_goldens.py [outdir]   (default testdata/golden/sampled)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

import golden_common  # noqa: E402
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/sampled"
ATTR = os.path.join(HERE, "..", "testdata", "golden", "attribution")
MIRRORS = "/work/.mirror"


def checkout(mirror, paths):
    d = tempfile.mkdtemp(prefix=mirror.split("+")[-1] + "-")
    git = ["git", "--git-dir=" + os.path.join(MIRRORS, mirror, "repo")]
    commit = subprocess.check_output(git + ["rev-parse", "HEAD"], text=True).strip()
    archive = subprocess.check_output(git + ["archive", "HEAD"] + paths)
    subprocess.run(["tar", "-x", "-C", d], input=archive, check=True)
    return d, commit


CAPTUM_DIR, CAPTUM_COMMIT = checkout("pytorch+captum", ["captum"])
RISE_DIR, RISE_COMMIT = checkout("eclique+RISE", ["explanations.py"])
sys.path.insert(0, CAPTUM_DIR)
sys.path.insert(0, RISE_DIR)
sys.path.insert(0, HERE)

import captum  # noqa: E402
from captum.attr import GradientShap, Occlusion  # noqa: E402
from java_random import JavaRandom  # noqa: E402

sys.argv = sys.argv[:1]  # make_attribution_goldens reads its own argv at import
import make_attribution_goldens as mag  # noqa: E402

torch.set_num_threads(1)


def load(model, name):
    return golden_common.load_torch_weights(model, os.path.join(ATTR, name))


def npy(name, a):
    return golden_common.save_float32(OUT, name, a)


# ------------------------------------------------------------------ draws replayed from java.util.Random
def gradient_shap_draws(seed, rows, samples, k, item_shape, stdev):
    """GradientShap.draws in Java: every expanded row's baseline index, then noise, then t."""
    r = JavaRandom(seed)
    n = rows * samples
    idx = [r.next_int(k) for _ in range(n)]
    noise = None
    if stdev > 0:
        size = int(np.prod(item_shape))
        noise = np.array([stdev * r.next_gaussian() for _ in range(n * size)], dtype=np.float64)
        noise = torch.from_numpy(noise.astype(np.float32).reshape((n,) + tuple(item_shape)))
    t = np.array([r.next_double() for _ in range(n)], dtype=np.float64)
    return idx, noise, t


class Replay:
    """Patches numpy's and torch's random calls with prepared values while a reference runs."""

    def __init__(self, **values):
        self.values = values
        self.saved = {}

    def __enter__(self):
        v = self.values
        self.saved = {"choice": np.random.choice, "uniform": np.random.uniform, "normal": torch.normal,
                      "rand": np.random.rand, "randint": np.random.randint}
        if "choice" in v:
            np.random.choice = lambda n, size: np.array(v["choice"])
        if "uniform" in v:
            np.random.uniform = lambda lo, hi, size: v["uniform"].copy()
        if "normal" in v:
            def normal(mean, std):
                return v["normal"].clone() if v["normal"] is not None else torch.zeros_like(std)
            torch.normal = normal
        if "rand" in v:
            np.random.rand = lambda *shape: v["rand"].reshape(shape)
        if "randint" in v:
            it = iter(v["randint"])
            np.random.randint = lambda lo, hi=None: next(it)
        return self

    def __exit__(self, *a):
        np.random.choice = self.saved["choice"]
        np.random.uniform = self.saved["uniform"]
        torch.normal = self.saved["normal"]
        np.random.rand = self.saved["rand"]
        np.random.randint = self.saved["randint"]


def rise_draws(seed, n, s, p1, h, w):
    """Rise.draws in Java: n*s*s nextDouble() (compared with p1 by the authors' code), then per mask two shifts."""
    r = JavaRandom(seed)
    grid = np.array([r.next_double() for _ in range(n * s * s)], dtype=np.float64)
    ch, cw = int(np.ceil(h / s)), int(np.ceil(w / s))
    shifts = []
    for _ in range(n):
        shifts.append(r.next_int(ch))
        shifts.append(r.next_int(cw))
    return grid, shifts


# ------------------------------------------------------------------ cases
def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    shap_refs = torch.from_numpy(np.load(os.path.join(ATTR, "shap_refs.npy")))
    targets = [3, 7]
    models = {"vgg": load(mag.vgg_model(1), "vgg"), "resnet": load(mag.resnet_model(2), "resnet")}
    cases = []
    torch.Tensor.cuda = lambda self, *a, **k: self
    import explanations as rise_code
    for name, model in models.items():
        # Occlusion: Captum's sliding_window_shapes / strides / baselines
        for window, stride, base in (((3, 4, 4), (3, 2, 2), 0.0), ((1, 5, 5), (1, 3, 3), 0.5), ((3, 16, 16), (3, 8, 8), 0.0)):
            a = Occlusion(model).attribute(x, sliding_window_shapes=window, strides=stride, baselines=base, target=targets)
            tag = "x".join(map(str, window)) + "_s" + "x".join(map(str, stride)) + "_b" + str(base)
            cases.append({"kind": "occlusion", "model": name, "targets": targets,
                          "method": "occlusion(window=%s,stride=%s,baseline=%s)" % ("x".join(map(str, window)), "x".join(map(str, stride)), base),
                          "attributions": npy("occ_%s_%s" % (name, tag), a)})
        # GradientShap: a shared distribution of 3 baselines with noise, and the zero baseline without
        for label, baselines, spec, samples, stdev, seed in (("refs", shap_refs, "reference=%s" % "shap_refs.npy", 5, 0.1, 11),
                                                             ("zeros", torch.zeros(1, 3, 16, 16), "reference=zeros", 8, 0.0, 3)):
            idx, noise, t = gradient_shap_draws(seed, x.shape[0], samples, baselines.shape[0], x.shape[1:], stdev)
            with Replay(choice=idx, normal=noise, uniform=t):
                a = GradientShap(model).attribute(x, baselines, n_samples=samples, stdevs=stdev, target=targets)
            cases.append({"kind": "gradient-shap", "model": name, "targets": targets, "baselines": label,
                          "method": "gradient-shap(n-samples=%d,stdevs=%s,%s,seed=%d)" % (samples, stdev, spec, seed),
                          "attributions": npy("gshap_%s_%s" % (name, label), a)})
        # RISE: the authors' class, one image at a time (as written), softmax probabilities
        for n, s, p1, seed in ((300, 4, 0.5, 7), (200, 3, 0.1, 9)):
            sal = []
            for i in range(x.shape[0]):
                grid, shifts = rise_draws(seed, n, s, p1, 16, 16)
                explainer = rise_code.RISE(nn.Sequential(model, nn.Softmax(dim=1)).eval(), (16, 16), gpu_batch=64)
                with Replay(rand=grid, randint=shifts):
                    explainer.generate_masks(n, s, p1, savepath=os.path.join(tempfile.gettempdir(), "rise_masks.npy"))
                with torch.no_grad():
                    sal.append(explainer(x[i:i + 1])[targets[i]])
            cases.append({"kind": "rise", "model": name, "targets": targets,
                          "method": "rise(masks=%d,cells=%d,p=%s,seed=%d)" % (n, s, p1, seed),
                          "attributions": npy("rise_%s_n%d_s%d" % (name, n, s), torch.stack(sal).unsqueeze(1))})
    manifest = {
        "generator": "tools/make_sampled_goldens.py",
        "torch": torch.__version__,
        "captum": "%s (mirror pytorch/captum, commit %s)" % (captum.__version__, CAPTUM_COMMIT),
        "rise": "eclique/RISE explanations.py, commit %s" % RISE_COMMIT,
        "input": "../attribution/x.npy (2x3x16x16); models ../attribution/vgg, ../attribution/resnet; targets 3 and 7",
        "draws": "java.util.Random(seed) replayed (tools/java_random.py): GradientShap's np.random.choice, torch.normal and "
                 "np.random.uniform, RISE's np.random.rand and np.random.randint",
        "tolerances": {
            "occlusion": "abs 1e-6 + rel 1e-5 of max |golden|",
            "gradient-shap": "abs 1e-7 + rel 1e-5 of max |golden|",
            "rise": "abs 1e-7 + rel 1e-5 of max |golden|",
        },
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
