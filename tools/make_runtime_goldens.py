#!/usr/bin/python3
"""Runtime goldens (issue 2): PyTorch forward / backward on seeded models, for the Java executor.

Usage (from the project root, Debian's python3 with python3-torch 1.13.1):
    /usr/bin/python3 tools/make_runtime_goldens.py            # everything
    /usr/bin/python3 tools/make_runtime_goldens.py --only tiny_resnet,mobilenet_v1

Writes
    testdata/models/{tiny_resnet,tiny_vgg,micro_cnn}.onnx    small seeded models (committed)
    tools/build/<torchvision model>.onnx                        big seeded models (ignored by git)
    testdata/golden/runtime/<case>/*.npy + manifest.json        (committed)

Every number comes from PyTorch itself: the torch.nn model for the models we build, and for the
shared Keras-converted MobileNet (no PyTorch original exists) a direct torch.nn.functional
evaluation of its ONNX graph (golden_common.OnnxTorch).  The same interpreter re-evaluates every
exported ONNX and the largest difference to the torch model is recorded as a check.
"""
import argparse
import copy
import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402

SUITE = os.path.join(gc.GOLDEN, "runtime")
MAX_STORED = 8192  # elements per stored activation / gradient array; bigger ones are cropped

TOL_LOGITS = 1e-4
TOL_ACT = 1e-4
TOL_GRAD = 1e-3
TOL_DEF = ("pass if max_i |candela_i - golden_i| <= rtol * max_i |golden_i| over the stored array "
           "(relative to the largest magnitude of the golden array)")

# name -> (builder, input HxW, activation modules, gradient module); ONNX exported with BN folded
TORCHVISION = {
    "resnet18": (lambda: torchvision.models.resnet18(), 64, ["layer2", "layer4"], "layer3"),
    "vgg11_bn": (lambda: torchvision.models.vgg11_bn(), 224, ["features.13", "features.27"], "features.20"),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), 64, ["features.6", "features.18"], "features.10"),
    "densenet121": (lambda: torchvision.models.densenet121(), 64,
                    ["features.transition1", "features.denseblock3"], "features.denseblock2"),
}
TV_SEEDS = {"resnet18": 11, "vgg11_bn": 12, "mobilenet_v2": 13, "densenet121": 14}
TINY_LAYERS = {
    "tiny_resnet": (["layer2", "layer4"], "layer3"),
    "tiny_vgg": (["features.10", "features.27"], "features.20"),
    "micro_cnn": (["features.2", "features.6"], "features.3"),
}


def crop_spec(shape, max_elems=MAX_STORED):
    """A window [start, stop) per axis: first fewer channels, then a centred spatial window."""
    spec = [[0, s] for s in shape]
    n = int(np.prod(shape))
    if n <= max_elems:
        return spec
    if len(shape) == 4:
        per_ch = shape[0] * shape[2] * shape[3]
        c = max(1, min(shape[1], max_elems // per_ch))
        spec[1] = [0, c]
        while shape[0] * c * (spec[2][1] - spec[2][0]) * (spec[3][1] - spec[3][0]) > max_elems:
            for ax in (2, 3):
                lo, hi = spec[ax]
                if hi - lo > 8:
                    spec[ax] = [lo + (hi - lo) // 4, hi - (hi - lo) // 4]
    elif len(shape) == 2:
        spec[1] = [0, max(1, max_elems // shape[0])]
    return spec


def apply_crop(a, spec):
    return a[tuple(slice(lo, hi) for lo, hi in spec)]


def stats(a):
    a = np.asarray(a, dtype=np.float64)
    return {"sum": float(a.sum()), "max_abs": float(np.abs(a).max()), "min": float(a.min()),
            "max": float(a.max())}


def store(case_dir, fname, array, tol, what, extra=None):
    full_shape = list(array.shape)
    spec = crop_spec(array.shape)
    cropped = apply_crop(array, spec)
    gc.save_npy(os.path.join(case_dir, fname), cropped)
    entry = {"file": os.path.join(os.path.basename(case_dir), fname), "meaning": what,
             "full_shape": full_shape, "stored_shape": list(cropped.shape), "dtype": "float32",
             "cropped": spec != [[0, s] for s in full_shape],
             "crop": spec, "tolerance": {"rtol": tol}, "stats_of_stored": stats(cropped)}
    if extra:
        entry.update(extra)
    return entry


def run_torch(model, x, act_modules, grad_module, targets):
    """Forward with hooks; backward of sum_b logits[b, targets[b]] to grad_module's output and the input."""
    acts, grads = {}, {}
    handles = []

    def fwd_hook(name):
        def h(_m, _i, out):
            acts[name] = out.detach().clone()
            if name == grad_module:
                out.register_hook(lambda g: grads.__setitem__(name, g.detach().clone()))
        return h

    for name in set(act_modules) | {grad_module}:
        handles.append(model.get_submodule(name).register_forward_hook(fwd_hook(name)))
    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    seed = torch.zeros_like(logits)
    for b, t in enumerate(targets):
        seed[b, t] = 1.0
    logits.backward(seed)
    for h in handles:
        h.remove()
    return logits.detach(), acts, grads[grad_module], xg.grad.detach()


def check_onnx(onnx_path, x, logits, act_nodes, acts):
    """Max relative difference between the torch model and our interpreter on the exported ONNX."""
    it = gc.OnnxTorch(onnx_path)
    got = {}
    hs = [it.module(n).register_forward_hook(lambda _m, _i, o, n=n: got.__setitem__(n, o.detach()))
          for n in act_nodes]
    with torch.no_grad():
        out = it(x)
    for h in hs:
        h.remove()
    res = {"logits": float((out - logits).abs().max() / logits.abs().max())}
    for n, a in zip(act_nodes, acts):
        res[n] = float((got[n] - a).abs().max() / a.abs().max().clamp_min(1e-30))
    return res


def model_case(name, model, onnx_path, committed, hw, act_modules, grad_module, seed, bn_kept):
    onnx_model = gc.export_onnx(model, torch.zeros(1, 3, hw, hw), onnx_path, keep_batchnorm=bn_kept)
    layer_info = {m: gc.last_node_of_module(onnx_model, m) for m in act_modules + [grad_module]}
    num_classes = model(torch.zeros(1, 3, hw, hw)).shape[1]
    gen = torch.Generator().manual_seed(seed + 5000)
    x2 = torch.randn(2, 3, hw, hw, generator=gen)
    cases = []
    variants = [("b1", x2[:1].clone(), [3 % num_classes]), ("b2", x2, [3 % num_classes, 7 % num_classes])]
    if hw >= 224:
        # Keeps the committed inputs small: row 0 of the batch-of-2 case is the single-image case
        # (each image's results are independent of the rest of the batch).
        variants = variants[1:]
    for tag, x, targets in variants:
        case = "%s_%s" % (name, tag)
        d = os.path.join(SUITE, case)
        logits, acts, g_mid, g_in = run_torch(model, x, act_modules, grad_module, targets)
        # The same gradients from a float64 copy. Neither is exact for a float32 engine: float32 PyTorch
        # carries its own rounding through deep nets (densenet121: 5.6e-3 relative at the input), while
        # float64 sees other ReLU masks where activations sit within rounding of 0. The Java test allows,
        # per element, the tolerance plus |float32 - float64|: the reference's own uncertainty.
        _, _, g_mid64, g_in64 = run_torch(copy.deepcopy(model).double(), x.double(), act_modules, grad_module, targets)
        gc.save_npy(os.path.join(d, "input.npy"), x.numpy())
        entries = {"logits": store(d, "logits.npy", logits.numpy(), TOL_LOGITS,
                                   "model output (pre-softmax logits), onnx tensor 'logits'",
                                   {"onnx_tensor": "logits"})}
        entries["activations"] = []
        for i, m in enumerate(act_modules):
            e = store(d, "act_%d.npy" % i, acts[m].numpy(), TOL_ACT,
                      "forward activation: output of torch module '%s' = ONNX tensor '%s'"
                      % (m, layer_info[m]["onnx_tensor"]), {"layer": layer_info[m]})
            entries["activations"].append(e)
        seed_doc = "d(sum_b logits[b, targets[b]]) i.e. backward seeded with one-hot rows at targets"
        entries["gradients"] = [
            store(d, "grad_mid.npy", g_mid.numpy(), TOL_GRAD,
                  "gradient of %s w.r.t. ONNX tensor '%s' (torch module '%s')"
                  % (seed_doc, layer_info[grad_module]["onnx_tensor"], grad_module),
                  {"wrt": layer_info[grad_module], "targets": targets,
                   "float64": store(d, "grad_mid_f64.npy", g_mid64.float().numpy(), TOL_GRAD,
                                    "the same gradient computed in float64 (rounded to float32)")}),
            store(d, "grad_input.npy", g_in.numpy(), TOL_GRAD,
                  "gradient of %s w.r.t. the model input 'input'" % seed_doc,
                  {"wrt": {"onnx_tensor": "input"}, "targets": targets,
                   "float64": store(d, "grad_input_f64.npy", g_in64.float().numpy(), TOL_GRAD,
                                    "the same gradient computed in float64 (rounded to float32)")}),
        ]
        check = check_onnx(onnx_path, x, logits, [layer_info[m]["onnx_node"] for m in act_modules],
                           [acts[m] for m in act_modules])
        cases.append({
            "name": case,
            "model": {"file": gc.rel(onnx_path), "committed": committed, "sha256": gc.sha256(onnx_path),
                      "batchnorm_in_onnx": "kept as BatchNormalization nodes" if bn_kept else
                      "folded into the Conv weights by torch's eval-mode export",
                      "regenerate": "/usr/bin/python3 tools/make_runtime_goldens.py --only %s" % name},
            "input": {"file": os.path.join(case, "input.npy"), "shape": list(x.shape), "dtype": "float32",
                      "meaning": "standard normal noise (torch.Generator seed %d), used as given" % (seed + 5000)},
            "targets": targets,
            **entries,
            "onnx_interpreter_max_rel_diff": check,
        })
        print(case, "logits[0,:4]", logits[0, :4].tolist(), "check", check, flush=True)
    return cases


def tiny_cases(name):
    model = gc.build_tiny(name)
    hw = gc.TINY_MODELS[name][2][1]
    acts, grad = TINY_LAYERS[name]
    return model_case(name, model, gc.tiny_onnx_path(name), True, hw, acts, grad, gc.TINY_MODELS[name][1], True)


def torchvision_cases(name):
    ctor, hw, acts, grad = TORCHVISION[name]
    torch.manual_seed(TV_SEEDS[name])
    model = ctor()
    gc.randomize_batchnorm(model, torch.Generator().manual_seed(TV_SEEDS[name] + 1000))
    model.eval()
    path = os.path.join(gc.BUILD, "%s_%d.onnx" % (name, hw))
    return model_case(name, model, path, False, hw, acts, grad, TV_SEEDS[name], False)


MOBILENET_IMAGES = [("chelsea", "chelsea.png", 281), ("coffee", "coffee.png", 967), ("dog", "dog.jpg", None),
                    # the whole dog.jpg squashed to 224x224 keeps the pickup truck in view (multi-object case)
                    ("dog_squashed", "dog.jpg", None)]


def mobilenet_cases():
    from PIL import Image
    labels = gc.imagenet_labels()
    model = gc.OnnxTorch(gc.MOBILENET)
    act_nodes = ["conv_pw_11_relu", "conv_pw_13_relu"]
    grad_node = "conv_pw_13_relu"
    cases = []
    for stem, fname, expected in MOBILENET_IMAGES:
        x, meta = gc.load_image_mobilenet(os.path.join(gc.IMAGES, fname), crop=not stem.endswith("_squashed"))
        case = "mobilenet_v1_" + stem
        d = os.path.join(SUITE, case)
        acts, grads = {}, {}
        hs = []
        for n in act_nodes:
            def h(_m, _i, o, n=n):
                acts[n] = o.detach().clone()
                if n == grad_node:
                    o.register_hook(lambda g: grads.__setitem__(n, g.detach().clone()))
            hs.append(model.module(n).register_forward_hook(h))
        xg = x.clone().requires_grad_(True)
        logits = model(xg)
        top = int(logits[0].argmax())
        target = expected if expected is not None else top
        seed = torch.zeros_like(logits)
        seed[0, target] = 1
        logits.backward(seed)
        for hh in hs:
            hh.remove()
        probs = torch.softmax(logits.detach(), 1)[0]
        top5 = torch.topk(probs, 5)
        gc.save_npy(os.path.join(d, "input.npy"), x.numpy())
        entry_act = [store(d, "act_%d.npy" % i, acts[n].numpy(), TOL_ACT,
                           "forward activation at ONNX node/tensor '%s'" % n, {"layer": model.node_meta[n]})
                     for i, n in enumerate(act_nodes)]
        seed_doc = "d logits[0, %d]" % target
        grads_e = [store(d, "grad_mid.npy", grads[grad_node].numpy(), TOL_GRAD,
                         "gradient of %s w.r.t. ONNX tensor '%s'" % (seed_doc, grad_node),
                         {"wrt": model.node_meta[grad_node], "targets": [target]}),
                   store(d, "grad_input.npy", xg.grad.numpy(), TOL_GRAD,
                         "gradient of %s w.r.t. the model input 'input'" % seed_doc,
                         {"wrt": {"onnx_tensor": "input"}, "targets": [target]})]
        ok = expected is None or top == expected
        print(case, "top1", top, labels[top], float(probs[top]), "expected", expected, "OK" if ok else "MISMATCH",
              flush=True)
        if not ok:
            raise SystemExit("MobileNet top-1 mismatch on " + fname)
        cases.append({
            "name": case,
            "model": {"file": "../shared/models/mobilenet_v1_0.25_224_imagenet.onnx", "committed": False,
                      "sha256": gc.sha256(gc.MOBILENET),
                      "evaluated_with": "tools/golden_common.py OnnxTorch (torch.nn modules per ONNX node; "
                                        "asymmetric Conv pads via F.pad; Clip = torch.clamp)"},
            "input": {"file": os.path.join(case, "input.npy"), "shape": list(x.shape), "dtype": "float32",
                      "meaning": "preprocessed image, see preprocessing", **meta},
            "preprocessing": {**{k: (v % Image.__version__ if "%s" in v else v) for k, v in gc.PREPROCESS_DOC.items()},
                              **({"crop": "none: the whole image is resized to 224x224 (aspect ratio not kept)"}
                                 if meta["squashed"] else {})},
            "preprocessing_tolerance_note": "measured: cv2.resize(INTER_LINEAR) of the same crop matches input.npy "
                                            "within 3e-5 on all three images (cv2.imread's JPEG decode gives the same "
                                            "pixels as PIL here); PIL's antialiased BILINEAR differs by up to 0.56, so "
                                            "do not antialias.  A Java pipeline (half-pixel bilinear, no antialias) "
                                            "should match within 1e-4 for PNG; a different JPEG decoder may differ by "
                                            "a few grey levels (1/127.5 each).  Compare logits starting from "
                                            "input.npy at 1e-4",
            "logits": store(d, "logits.npy", logits.detach().numpy(), TOL_LOGITS,
                            "model output 'logits' (pre-softmax)", {"onnx_tensor": "logits"}),
            "top1": {"index": top, "label": labels[top], "softmax": float(probs[top]),
                     "expected_index": expected},
            "top5": [{"index": int(i), "label": labels[int(i)], "softmax": float(p)}
                     for p, i in zip(top5.values, top5.indices)],
            "targets": [target],
            "activations": entry_act,
            "gradients": grads_e,
        })
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="comma-separated subset of: tiny_resnet,tiny_vgg,micro_cnn,"
                                                "resnet18,vgg11_bn,mobilenet_v2,densenet121,mobilenet_v1")
    args = ap.parse_args()
    gc.setup_torch()
    order = ["tiny_resnet", "tiny_vgg", "micro_cnn", "mobilenet_v1", "resnet18", "mobilenet_v2", "densenet121",
             "vgg11_bn"]
    only = [s for s in args.only.split(",") if s] or order
    manifest_path = os.path.join(SUITE, "manifest.json")
    old = {}
    if os.path.exists(manifest_path) and args.only:
        import json
        with open(manifest_path) as f:
            old = {c["name"]: c for c in json.load(f)["cases"]}
    new = {}
    for name in order:
        if name not in only:
            continue
        if name in gc.TINY_MODELS:
            cs = tiny_cases(name)
        elif name == "mobilenet_v1":
            cs = mobilenet_cases()
        else:
            cs = torchvision_cases(name)
        for c in cs:
            new[c["name"]] = c
    merged = {**old, **new}
    names = sorted(merged, key=lambda n: (next(i for i, o in enumerate(order) if n.startswith(o + "_")), n))
    gc.write_json(manifest_path, {
        "suite": "runtime",
        "generator": "tools/make_runtime_goldens.py (helpers in tools/golden_common.py)",
        "reference": {"library": "PyTorch", **gc.versions()},
        "paths": "case files are relative to this directory; model files relative to the project root "
                 "('../shared/...' = the shared folder beside the project)",
        "tolerance_definition": TOL_DEF,
        "tolerances": {"logits": TOL_LOGITS, "activations": TOL_ACT, "gradients": TOL_GRAD},
        "crop_definition": "crop = [[start, stop), ...] per axis of the full array: stored = full[s0:e0, s1:e1, ...]",
        "determinism": "torch.set_num_threads(1), fixed seeds; rerunning gives the same files",
        "cases": [merged[n] for n in names],
    })
    print("wrote", manifest_path)


if __name__ == "__main__":
    main()
