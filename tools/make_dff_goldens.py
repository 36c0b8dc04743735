#!/usr/bin/python3
"""Goldens for Deep Feature Factorization (Collins et al., ECCV 2018) as pytorch-grad-cam implements it
(pytorch_grad_cam/feature_factorization/deep_feature_factorization.py: DeepFeatureFactorization and dff()),
run from the mirror of jacobgil/pytorch-grad-cam checked out to a temporary folder (nothing of it is copied
into the repository). scikit-learn's NMF (init='random', random_state=0, solver 'cd', tol 1e-4, max_iter 200)
is Debian's python3-sklearn.

Models and input: the seeded VGG- and ResNet-like models of tools/make_attribution_goldens.py (weights from
testdata/golden/attribution) and its x.npy (2 x 3 x 16 x 16), one image at a time (run_dff_on_image's way;
Candela factorises each image on its own). Layers features.7 (VGG, the last ReLU, 8 x 4 x 4) and layer4
(ResNet, 12 x 4 x 4). computation_on_concepts is the classifier head: model.fc for the ResNet (the
tutorial's choice for ResNets) and, for the VGG, whose head reads a 2 x 2 field, the head after the layer
applied to a field filled with the concept (Candela's definition of the head for every model; for a GAP head
it is the same as model.fc). The per-concept class scores are the softmax of those outputs
(run_dff_on_image).

Recorded per case: concepts (K x n, W + offset), the NMF maps (n x h x w, dff()'s explanations), the
processed concept maps (n x 16 x 16, scale_cam_image), the head outputs (n x classes) and their softmax, and
the NMF's iteration count; the concept picture (show_factorization_on_image, image_weight 0.5, no legend) over
the input scaled to 0..255 levels (H x W x 3, both). nmf_cases: scikit-learn's NMF alone on larger matrices (W, H, iterations).

Usage: /usr/bin/python3 tools/make_dff_goldens.py [outdir]   (default testdata/golden/dff)
"""
import json
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch

import golden_common  # noqa: E402
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/dff"
ATTR = os.path.join(HERE, "..", "testdata", "golden", "attribution")
MIRROR = "/work/.mirror/jacobgil+pytorch-grad-cam/repo"

PGC_DIR = tempfile.mkdtemp(prefix="pgc-")
PGC_COMMIT = subprocess.check_output(["git", "--git-dir=" + MIRROR, "rev-parse", "HEAD"], text=True).strip()
subprocess.run(["tar", "-x", "-C", PGC_DIR], input=subprocess.check_output(["git", "--git-dir=" + MIRROR, "archive", "HEAD", "pytorch_grad_cam"]), check=True)
sys.path.insert(0, HERE)
from make_cam_goldens import TTACH_STUB  # noqa: E402  (pytorch-grad-cam imports ttach; make_cam_goldens.py's stand-in)
os.makedirs(os.path.join(PGC_DIR, "ttach"), exist_ok=True)
open(os.path.join(PGC_DIR, "ttach", "__init__.py"), "w").write(TTACH_STUB)
sys.path.insert(0, PGC_DIR)

# make_attribution_goldens.py is imported for its model builders only; it imports Captum at module level,
# which this script does not use: empty stand-in modules satisfy those imports.
for mod in ("captum", "captum.attr", "captum.attr._core", "captum.attr._core.deep_lift"):
    sys.modules.setdefault(mod, types.ModuleType(mod))
for name in ("DeepLift", "DeepLiftShap", "LayerDeepLift", "IntegratedGradients", "Saliency", "InputXGradient", "GuidedBackprop", "LRP"):
    setattr(sys.modules["captum.attr"], name, None)
sys.modules["captum.attr._core"].deep_lift = sys.modules["captum.attr._core.deep_lift"]
sys.modules["captum.attr._core.deep_lift"].SUPPORTED_NON_LINEAR = {nn.MaxPool2d: None}
sys.argv = sys.argv[:1]
import make_attribution_goldens as mag  # noqa: E402
import sklearn  # noqa: E402
from sklearn.decomposition import NMF  # noqa: E402
from pytorch_grad_cam.feature_factorization.deep_feature_factorization import DeepFeatureFactorization  # noqa: E402
from pytorch_grad_cam.utils.image import show_factorization_on_image  # noqa: E402

torch.set_num_threads(1)


def load(model, name):
    return golden_common.load_torch_weights(model, os.path.join(ATTR, name))


def npy(name, a):
    return golden_common.save_float32(OUT, name, a)


def nmf_iterations(model, layer, x, n):
    """The NMF's iteration count on the same matrix dff() factorises (dff() does not expose its NMF)."""
    acts = []
    h = layer.register_forward_hook(lambda m, i, o: acts.append(o.detach().numpy()))
    with torch.no_grad():
        model(x)
    h.remove()
    a = acts[0].transpose((1, 0, 2, 3)).reshape(acts[0].shape[1], -1)
    a = a - a.min(axis=-1)[:, None]
    nmf = NMF(n_components=n, init="random", random_state=0)
    nmf.fit_transform(a)
    return int(nmf.n_iter_)


def main():
    os.makedirs(OUT, exist_ok=True)
    x = torch.from_numpy(np.load(os.path.join(ATTR, "x.npy")))
    vgg = load(mag.vgg_model(1), "vgg")
    resnet = load(mag.resnet_model(2), "resnet")

    def vgg_head(c):
        field = c[:, :, None, None].expand(-1, -1, 4, 4).contiguous()
        return vgg.classifier(torch.flatten(vgg.avgpool(vgg.features[8](field)), 1))

    models = {"vgg": (vgg, "features.7", vgg.features[7], vgg_head),
              "resnet": (resnet, "layer4", resnet.layer4, resnet.fc)}
    cases = []
    for name, (model, lname, layer, head) in models.items():
        for n in ((5, 3) if name == "resnet" else (5,)):
            for i in range(x.shape[0]):
                xi = x[i:i + 1].clone()
                dff = DeepFeatureFactorization(model=model, target_layer=layer, computation_on_concepts=head)
                concepts, maps, outputs = dff(xi, n)
                dff.activations_and_grads.release()
                scores = torch.softmax(torch.from_numpy(outputs), axis=-1).numpy()
                # dff() itself, for the NMF maps before scale_cam_image
                acts = []
                hk = layer.register_forward_hook(lambda m, a, o: acts.append(o.detach().numpy()))
                with torch.no_grad():
                    model(xi)
                hk.remove()
                from pytorch_grad_cam.feature_factorization.deep_feature_factorization import dff as dff_fn
                c2, raw = dff_fn(acts[0].copy(), n_components=n)
                assert np.array_equal(c2, concepts)
                tag = "%s_n%d_%d" % (name, n, i)
                # the concept picture over the input scaled to 0..255 levels (no legend: concept_labels=None)
                img = xi[0].numpy().transpose((1, 2, 0)).astype(np.float64)
                img = np.floor((img - img.min()) / (img.max() - img.min()) * 255) / 255
                picture = show_factorization_on_image(img, maps[0].copy(), image_weight=0.5)
                cases.append({"model": name, "layer": lname, "image": i, "components": n,
                              "method": "dff" if n == 5 else "dff(components=%d)" % n,
                              "nmf_iterations": nmf_iterations(model, layer, xi, n),
                              "concepts": npy(tag + "_concepts", concepts), "nmf_maps": npy(tag + "_nmf_maps", raw[0]),
                              "concept_maps": npy(tag + "_concept_maps", maps[0]), "head_outputs": npy(tag + "_head", outputs),
                              "class_scores": npy(tag + "_scores", scores),
                              "picture_input": npy(tag + "_image", img * 255), "picture": npy(tag + "_picture", picture)})
    # scikit-learn's NMF alone at sizes of real layers (ResNet-18's layer4 at 224: 512 x 7 x 7), on ReLU'd
    # normal draws that the Java test regenerates from NumPy's RandomState (LegacyRandomState), so no input is stored
    nmf_cases = []
    for seed, (k, p, n) in ((1, (512, 49, 5)), (2, (64, 196, 8))):
        a = np.maximum(np.random.RandomState(seed).standard_normal((k, p)).astype(np.float32), np.float32(0))
        nmf = NMF(n_components=n, init="random", random_state=0)
        w = nmf.fit_transform(a)
        tag = "nmf_%dx%d_n%d" % (k, p, n)
        nmf_cases.append({"input": "max(RandomState(%d).standard_normal((%d, %d)).astype(float32), 0)" % (seed, k, p),
                          "seed": seed, "samples": k, "features": p, "components": n, "nmf_iterations": int(nmf.n_iter_),
                          "w": npy(tag + "_w", w), "h": npy(tag + "_h", nmf.components_)})
    manifest = {
        "generator": "tools/make_dff_goldens.py",
        "torch": torch.__version__,
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
        "pytorch_grad_cam": "mirror jacobgil/pytorch-grad-cam, commit %s" % PGC_COMMIT,
        "input": "../attribution/x.npy (2x3x16x16), one image per case; models ../attribution/vgg, ../attribution/resnet",
        "arrays": {"concepts": "K x n, NMF W + per-channel offset", "nmf_maps": "n x h x w, NMF H",
                   "concept_maps": "n x 16 x 16, scale_cam_image of each NMF map", "head_outputs": "n x 10, head(concepts)",
                   "class_scores": "n x 10, softmax of head_outputs",
                   "picture_input": "16 x 16 x 3, the input min-max scaled and floored to 0..255", "picture": "16 x 16 x 3 uint8 values, show_factorization_on_image"},
        "cases": cases,
        "nmf_cases": nmf_cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
