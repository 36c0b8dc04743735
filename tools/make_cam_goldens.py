#!/usr/bin/python3
"""CAM-family goldens (issue 3) from the reference libraries themselves.

    /usr/bin/python3 tools/make_runtime_goldens.py   # first: models + the inputs reused here
    /usr/bin/python3 tools/make_cam_goldens.py [--pgc PATH] [--torchcam PATH] [--only pgc,torchcam]

pytorch-grad-cam (PGC) and TorchCAM are run from their public sources by path (defaults
/work/refs/pytorch-grad-cam and /work/refs/torch-cam; nothing of theirs is copied into this repo).
Their missing third-party dependencies get small stand-ins written to /tmp at run time:
- `ttach` (only PGC's aug_smooth uses it): Compose / HorizontalFlip / Multiply with ttach's documented
  behaviour (all combinations of the parameters, in product order; image flip along W, multiply by
  a factor; masks are un-flipped, multiplication needs no undoing);
- a `torchcam` package shell whose __path__ points at the checkout (TorchCAM's own __init__ asks
  the installed package metadata for its version).

The models are evaluated from their ONNX files with golden_common.OnnxTorch (one torch module per
ONNX node), so each target layer is named by its ONNX node and tensor, exactly as the Java engine
sees the graph.

Writes testdata/golden/cam/... (PGC) and testdata/golden/torchcam/... (TorchCAM), each with a manifest.json.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402

STUBS = "/tmp/candela_golden_stubs"

TTACH_STUB = '''
"""Stand-in for the parts of ttach that pytorch-grad-cam's aug_smooth uses (written by Candela's tools/make_cam_goldens.py)."""
import itertools


class HorizontalFlip:
    params = [False, True]

    def augment(self, image, apply):
        return image.flip(3) if apply else image

    def deaugment_mask(self, mask, apply):
        return mask.flip(3) if apply else mask


class Multiply:
    def __init__(self, factors):
        self.params = list(factors)

    def augment(self, image, factor):
        return image * factor if factor != 1 else image

    def deaugment_mask(self, mask, factor):
        return mask


class _Combination:
    def __init__(self, transforms, params):
        self.transforms, self.params = transforms, params

    def augment_image(self, image):
        for t, p in zip(self.transforms, self.params):
            image = t.augment(image, p)
        return image

    def deaugment_mask(self, mask):
        for t, p in reversed(list(zip(self.transforms, self.params))):
            mask = t.deaugment_mask(mask, p)
        return mask


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __iter__(self):
        for params in itertools.product(*[t.params for t in self.transforms]):
            yield _Combination(self.transforms, params)

    def __len__(self):
        n = 1
        for t in self.transforms:
            n *= len(t.params)
        return n
'''

TTACH_DOC = ("6 test-time augmentations in this order: (flip, factor) in itertools.product([False, True], "
             "[0.9, 1, 1.1]); each: input flipped along W if flip, multiplied by factor (skipped when 1); "
             "full PGC pipeline (ReLU, min-max, resize, layer fusion) on it; map flipped back; final = "
             "plain float32 mean of the 6 maps (np.mean, no re-normalisation)")


def install_stubs(pgc_path, tc_path):
    os.makedirs(os.path.join(STUBS, "ttach"), exist_ok=True)
    with open(os.path.join(STUBS, "ttach", "__init__.py"), "w") as f:
        f.write(TTACH_STUB)
    os.makedirs(os.path.join(STUBS, "torchcam"), exist_ok=True)
    with open(os.path.join(STUBS, "torchcam", "__init__.py"), "w") as f:
        f.write("__path__ = [%r]\n__version__ = 'checkout'\n" % os.path.join(tc_path, "torchcam"))
    sys.path.insert(0, STUBS)
    sys.path.insert(0, pgc_path)


def repo_commit(path, mirror):
    """The checkout has no .git; its commit is the mirror's HEAD (checked: same tree)."""
    commit = gc.git_head(path)
    if commit:
        return commit, None
    if os.path.isdir(mirror):
        c = subprocess.check_output(["git", "-C", mirror, "log", "-1", "--format=%H %cI"], text=True).split()
        return c[0], c[1]
    return None, None


def same_tree(path, mirror, files):
    """Compare a few files of the checkout with the mirror's HEAD."""
    for f in files:
        try:
            blob = subprocess.check_output(["git", "-C", mirror, "show", "HEAD:" + f])
        except Exception:
            return False
        with open(os.path.join(path, f), "rb") as fh:
            if fh.read() != blob:
                return False
    return True


SUBSAMPLE_DOC = ("subsample = [row_start, row_stop, row_step, col_start, col_stop, col_step]: stored = "
                 "full_map[..., r0:r1:rs, c0:c1:cs]; used to keep files small for the 128x128 (tiny_resnet) and 224x224 "
                 "(MobileNet) maps except one plain Grad-CAM case per model, which is stored in full")

RUNTIME = os.path.join(gc.GOLDEN, "runtime")
TOL = {"map": {"atol": 1e-4, "definition": "max_i |candela_i - golden_i| <= atol (maps are in [0,1])"},
       "weights": {"rtol": 1e-4, "definition": "max_i |candela_i - golden_i| <= rtol * max_i |golden_i|"},
       "raw": {"rtol": 1e-4, "definition": "max_i |candela_i - golden_i| <= rtol * max_i |golden_i|"}}

PGC_METHODS = [
    # (Candela CLI name, PGC class, PGC has get_cam_weights (per-channel coefficients)?)
    ("grad-cam", "GradCAM", True),
    ("hires-cam", "HiResCAM", False),
    ("grad-cam-elementwise", "GradCAMElementWise", False),
    ("grad-cam++", "GradCAMPlusPlus", True),
    ("xgrad-cam", "XGradCAM", True),
    ("layer-cam", "LayerCAM", False),
    ("score-cam", "ScoreCAM", True),
    ("ablation-cam", "AblationCAM", True),
    ("eigen-cam", "EigenCAM", False),
    ("eigen-grad-cam", "EigenGradCAM", False),
    ("full-grad", "FullGrad", False),
    ("random-cam", "RandomCAM", True),
]
PGC_CLASS = {m: c for m, c, _ in PGC_METHODS}
RAW_DOC = {
    "grad-cam": "sum_k w_k A_k, w_k = mean_ij dY/dA_kij",
    "hires-cam": "sum_k (dY/dA_k * A_k)",
    "grad-cam-elementwise": "sum_k max(dY/dA_k * A_k, 0)",
    "grad-cam++": "sum_k w_k A_k, PGC's closed-form alpha (eps 1e-6)",
    "xgrad-cam": "sum_k w_k A_k, w_k = sum_ij g A / (sum_ij A + 1e-7)",
    "layer-cam": "sum_k max(g_k, 0) * A_k",
    "score-cam": "sum_k w_k A_k, w = softmax over channels of the target logit of input * upsampled mask "
                 "(UpsamplingBilinear2d = align_corners=True, per-channel min-max with eps 1e-8, batches of 16)",
    "ablation-cam": "sum_k w_k A_k, w_k = (y - y_k) / y, channel k of the cached activation set to 0 "
                    "(its global min is 0 here; else min - 1e7), batches of 32",
    "eigen-cam": "projection of the centred (h*w, K) activation matrix on its first right singular vector "
                 "(numpy/LAPACK SVD: sign is LAPACK's choice)",
    "eigen-grad-cam": "as eigen-cam on g * A",
    "random-cam": "sum_k w_k A_k, w ~ numpy uniform(-1, 1) drawn after np.random.seed(seed): replay weights.npy",
    "full-grad": "no single raw map: sum over the input term |x * dY/dx| and every Conv/BatchNorm bias term "
                 "|b * dY/dz| (BN bias = beta - mean*gamma/sqrt(var+eps)), each channel min-max'ed and resized "
                 "(cv2 INTER_LINEAR), summed, then min-max",
}
PIPELINE_DOC = ("PGC: per target layer raw map -> ReLU (np.maximum(raw, 0)) -> per image min-max "
                "(x - min; x / (max + 1e-7)) -> cv2.resize(INTER_LINEAR, half-pixel centres) to the input HxW "
                "-> layers stacked, ReLU, mean over layers -> per image min-max again (x - min; x / (max + 1e-7)), "
                "float32 (B,H,W).  eigen_smooth replaces the channel sum by the first-principal-component "
                "projection of {w_k A_k} (or of the method's element-wise products).")


def load_runtime_input(case):
    path = os.path.join(RUNTIME, case, "input.npy")
    if not os.path.exists(path):
        raise SystemExit("missing %s: run tools/make_runtime_goldens.py first" % path)
    return torch.from_numpy(np.load(path)), "../runtime/%s/input.npy" % case


def my_pipeline(raws, hw):
    """The pipeline as documented above, written with numpy + cv2 (not PGC), to check the description."""
    import cv2
    per_layer = []
    for raw in raws:
        out = []
        for r in np.maximum(raw, 0):
            r = r - r.min()
            r = r / (1e-7 + r.max())
            out.append(cv2.resize(np.float32(r), (hw[1], hw[0])))
        per_layer.append(np.float32(out)[:, None])
    m = np.maximum(np.concatenate(per_layer, 1), 0).mean(1)
    res = []
    for r in m:
        r = r - r.min()
        res.append(r / (1e-7 + r.max()))
    return np.float32(res)


def run_pgc(model, layer_nodes, x, targets, method, aug_smooth=False, eigen_smooth=False, seed=None, **ctor):
    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    cls = getattr(pgc, PGC_CLASS[method])
    layers = [model.module(n) for n in layer_nodes]
    cam = cls(model=model, target_layers=layers, **ctor)
    rec = {"weights": [], "weights_f64": [], "raw": []}
    if hasattr(cam, "get_cam_weights"):
        orig_w = cam.get_cam_weights

        def w(*a, **k):
            r = orig_w(*a, **k)
            rec["weights"].append(np.array(r, dtype=np.float32, copy=True))
            rec["weights_f64"].append(np.array(r, copy=True))
            return r
        cam.get_cam_weights = w
    orig_i = cam.get_cam_image

    def im(*a, **k):
        r = orig_i(*a, **k)
        rec["raw"].append(np.array(r, dtype=np.float32, copy=True))
        return r
    cam.get_cam_image = im
    if method == "ablation-cam":
        abl = cam.ablation_layer
        orig_a = abl.activations_to_be_ablated
        rec["ablated_channels"] = []

        def pick(*a, **k):
            r = orig_a(*a, **k)
            rec["ablated_channels"].append([int(i) for i in r])
            return r
        abl.activations_to_be_ablated = pick
    if seed is not None:
        np.random.seed(seed)
        torch.manual_seed(seed)
    maps = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(t) for t in targets],
               aug_smooth=aug_smooth, eigen_smooth=eigen_smooth)
    rec["map"] = np.float32(maps)
    rec["outputs"] = cam.outputs.detach().numpy().copy()
    rec["activations"] = [a.numpy().copy() for a in cam.activations_and_grads.activations]
    rec["gradients"] = [g.numpy().copy() for g in cam.activations_and_grads.gradients]
    if method == "ablation-cam":
        del cam.ablation_layer.activations_to_be_ablated  # the AblationLayer instance is PGC's shared default
    if method == "full-grad":
        # PGC pairs bias_data[i] (module order) with gradients[i] (order in which backward reached the
        # layers): check that this is the same order, gradient by gradient.
        mine = {}
        def grab(i):
            def hook(_m, _i, o):
                o.register_hook(lambda g: mine.__setitem__(i, g.detach().numpy().copy()))
            return hook
        hs = [l.register_forward_hook(grab(i)) for i, l in enumerate(cam.target_layers)]
        cam.activations_and_grads.release()
        out = model(x.clone().requires_grad_(True))
        sum(out[b, t] for b, t in enumerate(targets)).backward()
        for h in hs:
            h.remove()
        rec["fullgrad_pairing_in_layer_order"] = all(
            np.array_equal(mine[i], g) for i, g in enumerate(rec["gradients"]))
        rec["fullgrad_layers"] = len(cam.target_layers)
        rec["fullgrad_bias_shapes"] = [list(b.shape) for b in cam.bias_data]
        rec["fullgrad_grad_shapes"] = [list(g.shape) for g in rec["gradients"]]
    cam.activations_and_grads.release()
    return rec


def arr_entry(suite_dir, case, fname, a, meaning, tol=None, subsample=None, dtype=np.float32):
    full_shape = list(a.shape)
    if subsample is not None:
        r0, r1, rs, c0, c1, cs = subsample
        a = a[..., r0:r1:rs, c0:c1:cs]
    gc.save_npy(os.path.join(suite_dir, case, fname), a, dtype)
    e = {"file": "%s/%s" % (case, fname), "meaning": meaning, "shape": list(a.shape), "dtype": np.dtype(dtype).name}
    if subsample is not None:
        e["full_shape"] = full_shape
        e["subsample"] = list(subsample)
    if tol is not None:
        e["tolerance"] = tol
    a64 = np.asarray(a, dtype=np.float64)
    e["stats"] = {"min": float(a64.min()), "max": float(a64.max()), "mean": float(a64.mean())}
    return e


class PgcSuite:
    def __init__(self):
        self.dir = os.path.join(gc.GOLDEN, "cam")
        self.cases = []

    def case(self, name, model_file, model, layer_nodes, x, input_file, targets, method, options=None,
             subsample=None, store_evidence=False, seed=None, labels=None):
        options = dict(options or {})
        # PGC pairs target_layers[i] with the i-th activation its hooks saw, i.e. in forward order:
        # give layers in graph order so that index i means the same layer everywhere.
        order = [n for _, n, *_ in model.plan]
        assert layer_nodes == sorted(layer_nodes, key=order.index), "layers must be in graph order"
        ctor = {k: v for k, v in options.items() if k in ("ratio_channels_to_ablate", "batch_size")}
        call = {k: v for k, v in options.items() if k in ("aug_smooth", "eigen_smooth")}
        rec = run_pgc(model, layer_nodes, x, targets, method, seed=seed, **call, **ctor)
        m = rec["map"]
        assert m.shape == (x.shape[0],) + tuple(x.shape[2:]), m.shape
        assert np.isfinite(m).all() and m.min() >= 0 and m.max() <= 1.0 + 1e-6, (name, m.min(), m.max())
        hw = tuple(x.shape[2:])
        arrays = {"map": arr_entry(self.dir, name, "map.npy", m, "final map from PGC's __call__, (B,H,W) in [0,1]",
                                   TOL["map"], subsample)}
        checks = {}
        n_layers = len(layer_nodes)
        per_layer = n_layers > 1 and not call.get("aug_smooth")
        if rec["weights"]:
            wdtype = np.float64 if method == "random-cam" else np.float32
            if method == "random-cam":
                rec["weights"] = [np.asarray(w64) for w64 in rec["weights_f64"]]
            meaning = "per-channel coefficients returned by %s.get_cam_weights, (B,K)" % PGC_CLASS[method]
            if method == "random-cam":
                meaning += " (float64 as numpy drew them: replay these)"
            if per_layer:
                arrays["weights"] = [arr_entry(self.dir, name, "weights_%d.npy" % i, w,
                                               meaning + " for target layer %d (%s)" % (i, layer_nodes[i]),
                                               TOL["weights"], dtype=wdtype) for i, w in enumerate(rec["weights"])]
            else:
                w = np.stack(rec["weights"]) if len(rec["weights"]) > 1 else rec["weights"][0]
                if len(rec["weights"]) > 1:
                    meaning += "; stacked over the %d augmentations in ttach order, shape (6,B,K)" % len(rec["weights"])
                arrays["weights"] = arr_entry(self.dir, name, "weights.npy", w, meaning, TOL["weights"], dtype=wdtype)
        if rec["raw"]:
            meaning = ("raw map at feature resolution before ReLU and normalisation (%s.get_cam_image), (B,h,w)"
                       % PGC_CLASS[method])
            if per_layer:
                arrays["raw"] = [arr_entry(self.dir, name, "raw_%d.npy" % i, rr,
                                           meaning + " for target layer %d (%s)" % (i, layer_nodes[i]), TOL["raw"])
                                 for i, rr in enumerate(rec["raw"])]
            else:
                r = np.stack(rec["raw"]) if len(rec["raw"]) > 1 else rec["raw"][0]
                if len(rec["raw"]) > 1:
                    meaning += "; stacked over the %d augmentations in ttach order, shape (6,B,h,w)" % len(rec["raw"])
                arrays["raw"] = arr_entry(self.dir, name, "raw.npy", r, meaning, TOL["raw"])
            if not call.get("aug_smooth"):
                checks["documented_pipeline_max_abs_diff"] = float(np.abs(my_pipeline(rec["raw"], hw) - m).max())
            elif n_layers == 1:
                import itertools
                outs = []
                for raw, (flip, _factor) in zip(rec["raw"], itertools.product([False, True], [0.9, 1, 1.1])):
                    one = my_pipeline([raw], hw)
                    outs.append(one[:, :, ::-1] if flip else one)
                checks["documented_pipeline_max_abs_diff"] = float(np.abs(np.mean(np.float32(outs), 0) - m).max())
            if method in ("eigen-cam", "eigen-grad-cam") or call.get("eigen_smooth"):
                if n_layers == 1 and not call.get("aug_smooth"):
                    from pytorch_grad_cam.utils.image import scale_cam_image
                    per = scale_cam_image(np.maximum(-rec["raw"][0], 0), (hw[1], hw[0]))[:, None]
                    flipped = scale_cam_image(np.mean(np.maximum(per, 0), axis=1))
                    arrays["map_sign_flipped"] = arr_entry(
                        self.dir, name, "map_sign_flipped.npy", flipped,
                        "PGC's own pipeline (utils.image.scale_cam_image) applied to -raw: the final map an "
                        "implementation gets if its SVD picks the opposite sign of the singular vector; "
                        "a test may accept either map (the raw map then matches up to a global sign)",
                        TOL["map"], subsample)
        if store_evidence:
            for i, a in enumerate(rec["activations"][:n_layers]):
                arrays.setdefault("activations", []).append(arr_entry(
                    self.dir, name, "activations_%d.npy" % i, a, "target layer %d output A (B,K,h,w)" % i,
                    {"rtol": 1e-4}))
            for i, g in enumerate(rec["gradients"][:n_layers]):
                arrays.setdefault("gradients", []).append(arr_entry(
                    self.dir, name, "gradients_%d.npy" % i, g,
                    "dY/dA at target layer %d, Y = sum_b logits[b, targets[b]] (B,K,h,w)" % i, {"rtol": 1e-3}))
            arrays["logits"] = arr_entry(self.dir, name, "logits.npy", rec["outputs"], "model outputs (B,classes)",
                                         {"rtol": 1e-4})
        if method == "full-grad":
            checks["fullgrad_bias_layers"] = rec["fullgrad_layers"]
            checks["fullgrad_bias_gradient_pairing_in_layer_order"] = rec["fullgrad_pairing_in_layer_order"]
            assert rec["fullgrad_pairing_in_layer_order"], "PGC FullGrad pairs biases with the wrong gradients here"
            checks["fullgrad_bias_and_grad_shapes_agree"] = rec["fullgrad_bias_shapes"] == [
                [s[1]] for s in rec["fullgrad_grad_shapes"]]
        entry = {
            "name": name,
            "method": method,
            "pgc_class": PGC_CLASS[method],
            "options": options,
            "model": model_file,
            "input": {"file": input_file, "shape": list(x.shape), "dtype": "float32"},
            "layers": [model.node_meta[n] for n in layer_nodes],
            "targets": targets,
            "target_kind": "ClassifierOutputTarget: raw logit of the class (no softmax), one per batch item",
            "raw_map_definition": RAW_DOC[method],
            "arrays": arrays,
            "checks": checks,
        }
        if labels:
            entry["target_labels"] = labels
        if method == "ablation-cam":
            entry["ablated_channels"] = rec["ablated_channels"]
            entry["ablated_channels_note"] = (
                "channels PGC ablated per batch item (ratio_channels_to_ablate < 1: PGC's Eigen-CAM based pick; "
                "channels whose activations are all 0 score NaN there and np.argsort puts NaN last, i.e. highest); "
                "channels not ablated get y_k = y, i.e. weight 0")
        if seed is not None:
            entry["seed"] = {"numpy": seed, "torch": seed,
                             "note": "np.random.seed / torch.manual_seed right before the call"}
        if method == "full-grad":
            entry["layers_note"] = ("FullGrad ignores target_layers: it uses every Conv2d / BatchNorm2d with a "
                                    "bias (%d modules here) plus the input-gradient term" % rec["fullgrad_layers"])
        if call.get("aug_smooth"):
            entry["aug_smooth"] = TTACH_DOC
        self.cases.append(entry)
        print("%-45s map[%.3f,%.3f] %s" % (name, m.min(), m.max(), checks), flush=True)
        return rec


def model_ref(path, committed):
    return {"file": gc.rel(path) if committed else "../shared/models/" + os.path.basename(path),
            "committed": committed, "sha256": gc.sha256(path)}


def pgc_goldens(suite):
    tiny = [
        # model, runtime input case, target layer(s) (ONNX node names), batch targets
        ("tiny_vgg", "tiny_vgg_b2", ["/features/features.27/Relu"], ["/features/features.20/Relu"], [1, 5]),
        ("tiny_resnet", "tiny_resnet_b2", ["/layer4/layer4.1/relu_1/Relu"], ["/layer3/layer3.1/relu_1/Relu"], [2, 6]),
    ]
    for mname, rcase, layer, layer2, targets in tiny:
        hw = gc.TINY_MODELS[mname][2][1]
        # plain Grad-CAM keeps the full-resolution map; other maps of large inputs every other pixel
        sub = (0, hw, 2, 0, hw, 2) if hw >= 128 else None
        path = gc.tiny_onnx_path(mname)
        model = gc.OnnxTorch(path)
        mref = model_ref(path, True)
        x, xfile = load_runtime_input(rcase)
        for method, _, _ in PGC_METHODS:
            seed = 7 if method == "random-cam" else None
            suite.case("%s_%s" % (mname, method), mref, model, layer, x, xfile, targets, method,
                       store_evidence=(method == "grad-cam"), seed=seed,
                       subsample=None if method == "grad-cam" else sub)
        suite.case(mname + "_grad-cam_aug-smooth", mref, model, layer, x, xfile, targets, "grad-cam",
                   {"aug_smooth": True}, subsample=sub)
        suite.case(mname + "_grad-cam_eigen-smooth", mref, model, layer, x, xfile, targets, "grad-cam",
                   {"eigen_smooth": True}, subsample=sub)
        suite.case(mname + "_grad-cam_two-layers", mref, model, layer2 + layer, x, xfile, targets, "grad-cam",
                   store_evidence=True, subsample=sub)
        suite.case(mname + "_layer-cam_two-layers", mref, model, layer2 + layer, x, xfile, targets, "layer-cam",
                   subsample=sub)
        suite.case(mname + "_ablation-cam_ratio-0.5", mref, model, layer, x, xfile, targets, "ablation-cam",
                   {"ratio_channels_to_ablate": 0.5}, subsample=sub)
    # the real MobileNet on the shared images
    labels = gc.imagenet_labels()
    model = gc.OnnxTorch(gc.MOBILENET)
    mref = model_ref(gc.MOBILENET, False)
    layer = ["conv_pw_13_relu"]
    sub = (0, 224, 4, 0, 224, 4)
    for stem, target in (("chelsea", 281), ("coffee", 967), ("dog", 249)):
        x, xfile = load_runtime_input("mobilenet_v1_" + stem)
        for method, _, _ in PGC_METHODS:
            seed = 7 if method == "random-cam" else None
            full = method == "grad-cam" and stem == "chelsea"
            suite.case("mobilenet_v1_%s_%s" % (stem, method), mref, model, layer, x, xfile, [target], method,
                       subsample=None if full else sub, store_evidence=method == "grad-cam", seed=seed, labels=[labels[target]])
    x, xfile = load_runtime_input("mobilenet_v1_dog")
    for target in (671, 717):
        suite.case("mobilenet_v1_dog_%d_grad-cam" % target, mref, model, layer, x, xfile, [target], "grad-cam",
                   subsample=sub, labels=[labels[target]])
    x, xfile = load_runtime_input("mobilenet_v1_dog_squashed")
    for target in (249, 671, 717):
        suite.case("mobilenet_v1_dog_squashed_%d_grad-cam" % target, mref, model, layer, x, xfile, [target],
                   "grad-cam", subsample=sub, labels=[labels[target]])
    x, xfile = load_runtime_input("mobilenet_v1_chelsea")
    suite.case("mobilenet_v1_chelsea_grad-cam_two-layers", mref, model, ["conv_pw_11_relu"] + layer, x, xfile,
               [281], "grad-cam", subsample=sub, labels=[labels[281]])
    suite.case("mobilenet_v1_chelsea_grad-cam_aug-smooth", mref, model, layer, x, xfile, [281], "grad-cam",
               {"aug_smooth": True}, subsample=sub, labels=[labels[281]])
    suite.case("mobilenet_v1_chelsea_grad-cam_eigen-smooth", mref, model, layer, x, xfile, [281], "grad-cam",
               {"eigen_smooth": True}, subsample=sub, labels=[labels[281]])


# ---------------------------------------------------------------------------------------------
# TorchCAM: SS-CAM, IS-CAM, Smooth Grad-CAM++ (with the noise they drew)
# ---------------------------------------------------------------------------------------------

TC_METHODS = {"cam": "CAM", "ss-cam": "SSCAM", "is-cam": "ISCAM", "smooth-grad-cam++": "SmoothGradCAMpp"}
TC_DOC = {
    "cam": "TorchCAM CAM: w_k = W_fc[class, k] (the Gemm weight row of the target class, bias ignored); "
           "map = sum_k w_k A_k, NO ReLU, then min-max (eps 1e-8) at feature resolution",
    "ss-cam": "TorchCAM SSCAM: A normalised per channel at feature resolution ((x-min)/(max-min... eps 1e-8)), "
              "bilinear align_corners=False to the input size; for each of num_samples draws: mask = upsampled + "
              "noise (noise.npy[s], N(0, std^2), shape (B,K,H,W)), score = logit(mask * x) - logit(x), summed; "
              "weights = softmax over K of the mean gain",
    "is-cam": "TorchCAM ISCAM: no noise; for s = 0..num_samples-1, coeff += (s+1)/num_samples, score = logit(coeff * "
              "(mask * x)) - logit(x) with mask = normalised upsampled A_k; weights = softmax over K of the mean gain",
    "smooth-grad-cam++": "TorchCAM SmoothGradCAMpp: for each draw s, noisy = x + noise.npy[s] (N(0, std^2), shape of x); "
                         "g2 += g^2, g3 += g^3 at the target layer; alpha = (g2/n) / (2 g2/n + sum_ij (g3/n) * A_clean "
                         "+ 1e-8); w = sum_ij alpha * relu(g_last) (g_last = gradient of the last noisy draw); map = "
                         "sum_k w_k A_k with A = hook_a after the call (the LAST NOISY pass's activation, a TorchCAM "
                         "quirk: activations_after.npy), ReLU, min-max (eps 1e-8), at feature resolution",
}


def tc_case(suite_dir, cases, name, model_file, model, layer_node, x, input_file, targets, method, seed, kwargs,
            fc_node=None):
    import torchcam.methods as tcm
    cls = getattr(tcm, TC_METHODS[method])
    hw = tuple(x.shape[1:])
    extra = {"fc_layer": model.module(fc_node)} if fc_node else {}
    ext = cls(model, target_layer=model.module(layer_node), input_shape=hw, **kwargs, **extra)
    noise = []
    weights = []
    if hasattr(ext, "_distrib"):
        orig = ext._distrib.sample

        def sample(sample_shape=torch.Size()):
            r = orig(sample_shape)
            noise.append(r.detach().numpy().copy())
            return r
        ext._distrib.sample = sample
    orig_w = ext._get_weights

    def get_w(*a, **k):
        r = orig_w(*a, **k)
        weights.extend([t.detach().numpy().copy() for t in r])
        return r
    ext._get_weights = get_w
    torch.manual_seed(seed)
    np.random.seed(seed)
    act_before = None
    if method == "smooth-grad-cam++":
        out = model(x.clone())
    else:
        with torch.no_grad():
            out = model(x.clone())
    act_before = ext.hook_a[0].detach().numpy().copy()
    cams = ext(class_idx=list(targets), scores=out)
    act_after = ext.hook_a[0].detach().numpy().copy()
    ext.remove_hooks()
    m = cams[0].detach().numpy()
    assert np.isfinite(m).all() and m.min() >= 0 and m.max() <= 1 + 1e-6
    arrays = {
        "map": arr_entry(suite_dir, name, "map.npy", m, "TorchCAM's map at feature resolution (ReLU'd, min-max with "
                         "eps 1e-8: (x-min)/(max(x-min)+1e-8)), (B,h,w)", TOL["map"]),
        "weights": arr_entry(suite_dir, name, "weights.npy", weights[0], "per-channel weights from _get_weights, (B,K)",
                             TOL["weights"]),
        "activations": arr_entry(suite_dir, name, "activations.npy", act_before,
                                 "target layer output A of the clean forward (B,K,h,w)", {"rtol": 1e-4}),
        "logits": arr_entry(suite_dir, name, "logits.npy", out.detach().numpy(), "clean model outputs", {"rtol": 1e-4}),
    }
    if noise:
        arrays["noise"] = arr_entry(suite_dir, name, "noise.npy", np.stack(noise),
                                    "every noise tensor the method drew, in draw order, stacked: (draws, %s)"
                                    % ("B,K,H,W" if method == "ss-cam" else "B,C,H,W"))
    if not np.array_equal(act_before, act_after):
        arrays["activations_after"] = arr_entry(suite_dir, name, "activations_after.npy", act_after,
                                                "hook_a after the call (last noisy pass), used for the map",
                                                {"rtol": 1e-4})
    cases.append({
        "name": name, "method": method, "torchcam_class": TC_METHODS[method],
        "options": {**kwargs, "seed": seed}, "model": model_file,
        "input": {"file": input_file, "shape": list(x.shape), "dtype": "float32"},
        "layers": [model.node_meta[layer_node]], "targets": list(targets),
        **({"fc_layer": model.node_meta[fc_node]} if fc_node else {}),
        "target_kind": "class_idx list: raw logit of the class per batch item",
        "definition": TC_DOC[method], "arrays": arrays,
        "noise_note": "replay noise.npy instead of drawing (torch.manual_seed(seed) before the call reproduces it in "
                      "PyTorch only)" if noise else "no noise",
    })
    print("%-45s map[%.3f,%.3f] draws=%d" % (name, m.min(), m.max(), len(noise)), flush=True)


def torchcam_goldens(tc_info):  # noqa: C901
    suite_dir = os.path.join(gc.GOLDEN, "torchcam")
    cases = []
    micro = gc.tiny_onnx_path("micro_cnn")
    mm = gc.OnnxTorch(micro)
    mref = model_ref(micro, True)
    x, xfile = load_runtime_input("micro_cnn_b2")
    layer = "/features/features.6/Relu"
    tc_case(suite_dir, cases, "micro_cnn_ss-cam", mref, mm, layer, x, xfile, [1, 5], "ss-cam", 21,
            {"batch_size": 32, "num_samples": 8, "std": 2.0})
    tc_case(suite_dir, cases, "micro_cnn_is-cam", mref, mm, layer, x, xfile, [1, 5], "is-cam", 22,
            {"batch_size": 32, "num_samples": 10})
    tc_case(suite_dir, cases, "micro_cnn_smooth-grad-cam++", mref, mm, layer, x, xfile, [1, 5],
            "smooth-grad-cam++", 23, {"num_samples": 4, "std": 0.3})
    vgg = gc.tiny_onnx_path("tiny_vgg")
    vm = gc.OnnxTorch(vgg)
    vref = model_ref(vgg, True)
    x, xfile = load_runtime_input("tiny_vgg_b2")
    layer = "/features/features.27/Relu"
    tc_case(suite_dir, cases, "tiny_vgg_is-cam", vref, vm, layer, x, xfile, [1, 5], "is-cam", 24,
            {"batch_size": 32, "num_samples": 10})
    tc_case(suite_dir, cases, "tiny_vgg_smooth-grad-cam++", vref, vm, layer, x, xfile, [1, 5],
            "smooth-grad-cam++", 25, {"num_samples": 4, "std": 0.3})
    # CAM (class activation mapping from the FC weights; GAP + single linear layer heads only) has
    # its own suite: pytorch-grad-cam has no CAM, and TorchCAM's CAM applies no ReLU.
    cam_dir = os.path.join(gc.GOLDEN, "torchcam_cam")
    cam_cases = []
    tr = gc.tiny_onnx_path("tiny_resnet")
    tc_case(cam_dir, cam_cases, "micro_cnn_cam", mref, mm, "/features/features.6/Relu",
            *load_runtime_input("micro_cnn_b2"), [1, 5], "cam", 28, {}, fc_node="/fc/Gemm")
    rm = gc.OnnxTorch(tr)
    tc_case(cam_dir, cam_cases, "tiny_resnet_cam", model_ref(tr, True), rm, "/layer4/layer4.1/relu_1/Relu",
            *load_runtime_input("tiny_resnet_b2"), [2, 6], "cam", 29, {}, fc_node="/fc/Gemm")
    mob = gc.OnnxTorch(gc.MOBILENET)
    for stem, target in (("chelsea", 281), ("coffee", 967), ("dog", 249)):
        tc_case(cam_dir, cam_cases, "mobilenet_v1_%s_cam" % stem, model_ref(gc.MOBILENET, False), mob,
                "conv_pw_13_relu", *load_runtime_input("mobilenet_v1_" + stem), [target], "cam", 30, {},
                fc_node="fc")
    gc.write_json(os.path.join(cam_dir, "manifest.json"), {
        "suite": "torchcam_cam",
        "generator": "tools/make_cam_goldens.py",
        "reference": tc_info,
        "paths": "case files relative to this directory; inputs '../runtime/...' are the runtime suite's files; "
                 "model files relative to the project root",
        "map_note": "TorchCAM's CAM map = min-max (eps 1e-8) of sum_k W_fc[class,k] A_k WITHOUT ReLU (unlike every "
                    "other method here); Candela's cam applies ReLU by default, so compare with ReLU off, or compare "
                    "the raw map sum_k w_k A_k and the weights",
        "tolerances": TOL,
        "cases": cam_cases,
    })
    # IS-CAM draws no noise, so the real MobileNet is affordable (10 x 256 masked forwards)
    x, xfile = load_runtime_input("mobilenet_v1_chelsea")
    tc_case(suite_dir, cases, "mobilenet_v1_chelsea_is-cam", model_ref(gc.MOBILENET, False), mob, "conv_pw_13_relu",
            x, xfile, [281], "is-cam", 27, {"batch_size": 32, "num_samples": 10})
    gc.write_json(os.path.join(suite_dir, "manifest.json"), {
        "suite": "torchcam",
        "generator": "tools/make_cam_goldens.py",
        "reference": tc_info,
        "paths": "case files relative to this directory; inputs '../runtime/...' are the runtime suite's files; "
                 "model files relative to the project root",
        "tolerances": TOL,
        "determinism": "torch.set_num_threads(1); torch.manual_seed(seed) before each call; the drawn noise is stored",
        "cases": cases,
    })


def main():
    ap = argparse.ArgumentParser(description="CAM goldens from pytorch-grad-cam and TorchCAM")
    ap.add_argument("--pgc", default="/work/refs/pytorch-grad-cam")
    ap.add_argument("--torchcam", default="/work/refs/torch-cam")
    ap.add_argument("--pgc-mirror", default="/work/.mirror/jacobgil+pytorch-grad-cam/repo")
    ap.add_argument("--torchcam-mirror", default="/work/.mirror/frgfm+torch-cam/repo")
    ap.add_argument("--only", default="pgc,torchcam")
    args = ap.parse_args()
    gc.setup_torch()
    install_stubs(args.pgc, args.torchcam)
    import cv2
    import scipy
    import sklearn
    only = args.only.split(",")
    if "pgc" in only:
        commit, date = repo_commit(args.pgc, args.pgc_mirror)
        info = {"library": "pytorch-grad-cam", "repository": "https://github.com/jacobgil/pytorch-grad-cam",
                "commit": commit, "commit_date": date, "run_from": args.pgc,
                "checkout_matches_commit": same_tree(args.pgc, args.pgc_mirror, [
                    "pytorch_grad_cam/base_cam.py", "pytorch_grad_cam/score_cam.py",
                    "pytorch_grad_cam/ablation_cam.py", "pytorch_grad_cam/utils/image.py"]),
                "stand_ins": {"ttach": TTACH_DOC + " (semantics checked against qubvel/ttach: ttach/base.py Compose, "
                                       "ttach/transforms.py HorizontalFlip and Multiply)"}, **gc.versions(), "opencv": cv2.__version__,
                "scipy": scipy.__version__, "sklearn": sklearn.__version__}
        suite = PgcSuite()
        pgc_goldens(suite)
        gc.write_json(os.path.join(suite.dir, "manifest.json"), {
            "suite": "cam",
            "generator": "tools/make_cam_goldens.py",
            "reference": info,
            "pipeline": PIPELINE_DOC,
            "paths": "case files relative to this directory; inputs '../runtime/...' are the runtime suite's files; "
                     "model files relative to the project root ('../shared/...' = the shared folder beside it)",
            "tolerances": TOL,
            "subsample_definition": SUBSAMPLE_DOC,
            "checks_definition": "documented_pipeline_max_abs_diff = max |pipeline(raw maps) written with numpy+cv2 "
                                 "from the description above - PGC's map|: shows the description is exact",
            "determinism": "torch.set_num_threads(1); RandomCAM seeded (np.random.seed) and its weights stored",
            "cases": suite.cases,
        })
    if "torchcam" in only:
        commit, date = repo_commit(args.torchcam, args.torchcam_mirror)
        tc_info = {"library": "TorchCAM", "repository": "https://github.com/frgfm/torch-cam", "commit": commit,
                   "commit_date": date, "run_from": args.torchcam,
                   "checkout_matches_commit": same_tree(args.torchcam, args.torchcam_mirror, [
                       "torchcam/methods/activation.py", "torchcam/methods/gradient.py", "torchcam/methods/core.py"]),
                   "stand_ins": {"torchcam/__init__.py": "package shell with __path__ = the checkout's torchcam/"},
                   **gc.versions()}
        torchcam_goldens(tc_info)


if __name__ == "__main__":
    main()
