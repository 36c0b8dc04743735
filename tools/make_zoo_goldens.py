#!/usr/bin/python3
"""Goldens for the zoo (issue 13) from the reference libraries, run from their public sources by path:
pytorch-grad-cam's GradCAM and Captum's DeepLift on efficientnet_b0, shufflenet_v2_x0_5 and convnext_tiny.
ShuffleNet's ops all have a Captum DeepLift rule (with the max-pool work-arounds of make_attribution_goldens.py),
so Candela's default `--deeplift-rules captum` must match it. EfficientNet's SiLU and squeeze-and-excitation
product and ConvNeXt's GELU and LayerNorm have none: Captum passes their gradient and does not sum to delta
(its convergence delta is recorded); those two are matched by `--deeplift-rules captum-exact`, which takes
Captum's rules only where Captum has them. Candela's default conserving rules are checked by ZooTest instead.

    /usr/bin/python3 tools/export_zoo.py ZOO efficientnet_b0,shufflenet_v2_x0_5,convnext_tiny   # models + inputs
    /usr/bin/python3 tools/make_zoo_goldens.py ZOO [--pgc PATH] [--captum PATH]

The models are rebuilt by export_zoo.build (seeded; checked against ZOO/<name>.output.npy) and explained
on ZOO/<name>.input.npy for the predicted class. Only centre crops (rows and columns 16..47 of the 64 x 64
maps) are committed: testdata/golden/zoo/<name>.gradcam.npy (32 x 32),
<name>.deeplift.npy (3 x 32 x 32), manifest.json. pytorch-grad-cam imports scikit-learn for methods not used here; when it is
missing a stand-in that raises if used is put on the path. Nothing of either library is copied here.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402
import export_zoo as ez  # noqa: E402

OUT = os.path.join(gc.GOLDEN, "zoo")
LAYERS = {"efficientnet_b0": "features.8", "shufflenet_v2_x0_5": "conv5", "convnext_tiny": "features.7"}
CROP = (slice(16, 48), slice(16, 48))
# the Candela --deeplift-rules that reproduce Captum on each model (see the docstring)
DEEPLIFT_RULES = {"efficientnet_b0": "captum-exact", "shufflenet_v2_x0_5": "captum", "convnext_tiny": "captum-exact"}
STUB = "/tmp/candela_zoo_stubs"


def module(model, path):
    m = model
    for p in path.split("."):
        m = m[int(p)] if p.isdigit() else getattr(m, p)
    return m


def commit_of(mirror):
    if not os.path.isdir(mirror):
        return None
    return subprocess.check_output(["git", "--git-dir", mirror, "log", "-1", "--format=%H"], text=True).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("zoo")
    ap.add_argument("--pgc", default="/tmp/refs/jacobgil+pytorch-grad-cam")
    ap.add_argument("--captum", default="/tmp/refs/pytorch+captum")
    args = ap.parse_args()
    gc.setup_torch()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        os.makedirs(os.path.join(STUB, "sklearn"), exist_ok=True)
        open(os.path.join(STUB, "sklearn", "__init__.py"), "w").close()
        with open(os.path.join(STUB, "sklearn", "decomposition.py"), "w") as f:
            f.write("class KernelPCA:\n    def __init__(self, *a, **k):\n        raise RuntimeError('scikit-learn stand-in')\n\n\nclass NMF(KernelPCA):\n    pass\n")
        sys.path.insert(0, STUB)
    try:
        import ttach  # noqa: F401
    except ImportError:
        import make_cam_goldens as mcg
        mcg.install_stubs(args.pgc, "/nonexistent")
    sys.path.insert(0, args.pgc)
    sys.path.insert(0, args.captum)
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from captum.attr import DeepLift

    os.makedirs(OUT, exist_ok=True)
    cases = {}
    for name, layer in LAYERS.items():
        model = ez.build(name)
        x = torch.from_numpy(np.load(os.path.join(args.zoo, name + ".input.npy")))
        with torch.no_grad():
            y = model(x)
        stored = np.load(os.path.join(args.zoo, name + ".output.npy"))
        rebuilt = float(np.abs(y.numpy() - stored).max() / np.abs(stored).max())
        assert rebuilt < 1e-5, (name, rebuilt)
        cls = int(y.argmax(1))
        with GradCAM(model=model, target_layers=[module(model, layer)]) as cam:
            g = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(cls)])[0]
        gc.save_npy(os.path.join(OUT, name + ".gradcam.npy"), g[CROP])
        case = {"class": cls, "layer": layer, "gradcam": name + ".gradcam.npy", "gradcam_shape_full": list(g.shape),
                "crop": "rows 16..47, columns 16..47", "rebuilt_output_rel_error": rebuilt}
        # max_unpool2d (Captum's max-pool rule) has no "deterministic" flag; on one CPU thread it is deterministic.
        torch.use_deterministic_algorithms(True, warn_only=True)
        # Captum's two max-pool defects worked around as for the attribution goldens (lift-cam.md section 7):
        # MaxPool inputs cloned by a pre-hook, scatter-add unpool for overlapping windows (a no-op without max pools).
        import make_attribution_goldens as mag
        with mag.Workarounds(model):
            dl = DeepLift(model)
            a, delta = dl.attribute(x.clone().requires_grad_(), baselines=torch.zeros_like(x), target=cls, return_convergence_delta=True)
        a = a.detach().numpy()[0]
        with torch.no_grad():
            logit_delta = float(model(x)[0, cls] - model(torch.zeros_like(x))[0, cls])
        gc.save_npy(os.path.join(OUT, name + ".deeplift.npy"), a[:, CROP[0], CROP[1]])
        case.update({"deeplift": name + ".deeplift.npy", "deeplift_rules": DEEPLIFT_RULES[name], "deeplift_sum_full": float(a.sum()),
                     "logit_delta": logit_delta, "captum_convergence_delta": float(delta.detach().abs().max())})
        cases[name] = case
        print(name, case, flush=True)
    gc.write_json(os.path.join(OUT, "manifest.json"), {
        "suite": "zoo", "generator": "tools/make_zoo_goldens.py",
        "references": {"pytorch-grad-cam": {"repository": "https://github.com/jacobgil/pytorch-grad-cam",
                                            "commit": commit_of("/work/.mirror/jacobgil+pytorch-grad-cam/repo")},
                       "captum": {"repository": "https://github.com/pytorch/captum",
                                  "commit": commit_of("/work/.mirror/pytorch+captum/repo")}},
        "models": "tools/export_zoo.py (rebuilt by export_zoo.build; inputs ZOO/<name>.input.npy)",
        "gradcam": "GradCAM(model, target_layers=[layer])(x, targets=[ClassifierOutputTarget(argmax)])[0]",
        "deeplift": "DeepLift(model).attribute(x, baselines=0, target=argmax)[0], multiply_by_inputs, with the max-pool "
                    "work-arounds of make_attribution_goldens.Workarounds (cloned MaxPool inputs, scatter-add unpool); "
                    "compared with candela --deeplift-rules <case's deeplift_rules>; captum_convergence_delta = "
                    "|sum of attributions - logit_delta| as Captum reports it",
        "tolerances": {"gradcam_abs": 1e-4, "deeplift_abs_relative_to_max": 1e-4},
        "versions": gc.versions(), "cases": cases})


if __name__ == "__main__":
    main()
