#!/usr/bin/python3
"""Golden outputs for Candela's DeepLIFT / LIFT-CAM / gradient attributions, produced by the real
reference code: Captum (run by path from /work/refs/captum) and the official LIFT-CAM code (run by path
from /work/refs/LIFT-CAM). Nothing of either is copied into the repository.

Two small seeded models, built as torchvision VGG / ResNet instances whose modules are replaced by tiny
ones (so the official LIFT-CAM code, which checks isinstance(model, VGG/ResNet), runs unchanged):
  vgg:    3x16x16 -> [conv-relu-maxpool] x3 -> avgpool(2x2) -> FC-ReLU-FC-ReLU-FC(10); LIFT-CAM layer features[-2]
  resnet: 3x16x16 -> conv-BN-ReLU-maxpool(3,2,1) -> 3 basic blocks (one projecting) -> GAP -> FC(10); layer4
Weights go to <out>/<model>/<param>.npy; the Java tests rebuild the same graphs from them.

Captum's DeepLift has two max-pool defects (lift-cam.md section 7). The goldens are made with both worked
around: a forward pre-hook that clones each MaxPool's input (so a preceding ReLU's hook sees the
max-pool multiplier, not the plain gradient) and a scatter-add unpool (so an input that is the argmax of
several overlapping windows keeps every contribution). Raw Captum's convergence deltas are stored too.

Usage: /usr/bin/python3 tools/make_attribution_goldens.py [outdir]   (default testdata/golden/attribution)
"""
import json
import os
import sys
import types

sys.path.insert(0, "/work/refs/captum")
sys.path.insert(0, "/work/refs/LIFT-CAM")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

import captum
from captum.attr import (DeepLift, DeepLiftShap, LayerDeepLift, IntegratedGradients, Saliency,
                         InputXGradient, GuidedBackprop, LRP)
from captum.attr._core import deep_lift as captum_deep_lift

OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/attribution"
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)


# ---------------------------------------------------------------- models
def init_bn(bn, g):
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.num_features, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(bn.num_features, generator=g) * 0.1)
        bn.running_mean.copy_(torch.randn(bn.num_features, generator=g) * 0.1)
        bn.running_var.copy_(torch.rand(bn.num_features, generator=g) + 0.5)


def vgg_model(seed):
    torch.manual_seed(seed)
    m = torchvision.models.vgg.VGG(nn.Sequential(nn.Conv2d(1, 1, 1)), num_classes=10, init_weights=False)
    m.features = nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2))
    m.avgpool = nn.AdaptiveAvgPool2d((2, 2))  # identity on 2x2, as VGG16's 7x7 avgpool on 7x7 maps
    m.classifier = nn.Sequential(nn.Linear(32, 24), nn.ReLU(), nn.Dropout(), nn.Linear(24, 24), nn.ReLU(),
                                 nn.Dropout(), nn.Linear(24, 10))
    he_init(m, seed)
    return m.eval()


def he_init(model, seed):
    # He-normal weights and small random biases: logits of order 1-10, so attributions are not vanishingly small
    g = torch.Generator().manual_seed(seed + 100)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if mod.bias is not None:
                    mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        s = x if self.downsample is None else self.downsample(x)
        return self.relu2(y + s)


def resnet_model(seed):
    torch.manual_seed(seed)
    m = torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [1, 1, 1, 1], num_classes=10)
    m.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
    m.bn1 = nn.BatchNorm2d(8)
    m.relu = nn.ReLU()
    m.maxpool = nn.MaxPool2d(3, 2, 1)  # overlapping windows, as ResNet's stem
    m.layer1 = nn.Sequential(Block(8, 8, 1))
    m.layer2 = nn.Sequential(Block(8, 12, 2))
    m.layer3 = nn.Identity()
    m.layer4 = nn.Sequential(Block(12, 12, 1))
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.fc = nn.Linear(12, 10)
    he_init(m, seed)
    g = torch.Generator().manual_seed(seed + 1)
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            init_bn(mod, g)
    return m.eval()


def save_weights(model, name):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for k, v in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        np.save(os.path.join(d, k + ".npy"), v.detach().numpy().astype(np.float32))


# ---------------------------------------------------------------- Captum work-arounds (lift-cam.md 7)
def scatter_add_unpool(t, indices, kernel_size, stride, padding, output_size):
    n, c = t.shape[0], t.shape[1]
    out = torch.zeros(n, c, int(np.prod(output_size[2:])), dtype=t.dtype)
    out.scatter_add_(2, indices.reshape(n, c, -1), t.reshape(n, c, -1))
    return out.reshape(output_size)


ORIGINAL_MAXPOOL2D = captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d]


def fixed_maxpool2d(module, inputs, outputs, grad_input, grad_output, eps=1e-10):
    return captum_deep_lift.maxpool(module, F.max_pool2d, scatter_add_unpool, inputs, outputs,
                                    grad_input, grad_output, eps=eps)


class Workarounds:
    """Context: clone-input pre-hooks on every MaxPool2d and the scatter-add unpool."""

    def __init__(self, model):
        self.model = model
        self.handles = []

    def __enter__(self):
        for mod in self.model.modules():
            if isinstance(mod, nn.MaxPool2d):
                self.handles.append(mod.register_forward_pre_hook(lambda m, inp: (inp[0].clone(),)))
        captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d] = fixed_maxpool2d
        return self

    def __exit__(self, *a):
        for h in self.handles:
            h.remove()
        captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d] = ORIGINAL_MAXPOOL2D


def npy(name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    np.save(os.path.join(OUT, name + ".npy"), a.astype(np.float32))
    return name + ".npy"


# ---------------------------------------------------------------- cases
def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    g = torch.Generator().manual_seed(42)
    x = torch.randn(2, 3, 16, 16, generator=g)
    ref_random = torch.randn(2, 3, 16, 16, generator=g) * 0.7
    shap_refs = torch.randn(3, 3, 16, 16, generator=g) * 0.5
    npy("x", x)
    npy("ref_random", ref_random)
    npy("shap_refs", shap_refs)
    targets = [3, 7]
    models = {"vgg": vgg_model(1), "resnet": resnet_model(2)}
    layers = {"vgg": ("features.4", lambda m: m.features[4]), "resnet": ("layer1", lambda m: m.layer1)}
    for name, model in models.items():
        save_weights(model, name)
        # the same model as ONNX (opset 13), for the importer-path parity run of the Java test
        torch.onnx.export(model, x[:1], os.path.join(OUT, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
        with torch.no_grad():
            npy(name + "_logits", model(x))
        for ref_name, ref in (("zeros", torch.zeros_like(x)), ("random", ref_random)):
            with Workarounds(model):
                a, delta = DeepLift(model).attribute(x, ref, target=targets, return_convergence_delta=True)
            raw_a, raw_delta = DeepLift(model).attribute(x, ref, target=targets, return_convergence_delta=True)
            cases.append({"kind": "deeplift", "model": name, "reference": ref_name, "targets": targets,
                          "attributions": npy(f"dl_{name}_{ref_name}", a),
                          "convergence_delta": delta.tolist(),
                          "raw_captum_convergence_delta": raw_delta.tolist(),
                          "raw_captum_attributions": npy(f"dl_{name}_{ref_name}_raw", raw_a)})
        lname, lmod = layers[name]
        with Workarounds(model):
            la, ldelta = LayerDeepLift(model, lmod(model)).attribute(x, ref_random, target=targets, return_convergence_delta=True)
        cases.append({"kind": "layer-deeplift", "model": name, "layer": lname, "reference": "random", "targets": targets,
                      "attributions": npy(f"ldl_{name}", la), "convergence_delta": ldelta.tolist()})
        with Workarounds(model):
            sa = DeepLiftShap(model).attribute(x, shap_refs, target=targets)
        cases.append({"kind": "deeplift-shap", "model": name, "references": "shap_refs", "targets": targets,
                      "attributions": npy(f"shap_{name}", sa)})
        # gradient family (Captum defaults: IG = 50-step Gauss-Legendre from a zero baseline)
        ig, igd = IntegratedGradients(model).attribute(x, target=targets, return_convergence_delta=True)
        cases.append({"kind": "integrated-gradients", "model": name, "steps": 50, "method": "gausslegendre", "targets": targets,
                      "attributions": npy(f"ig_{name}", ig), "convergence_delta": igd.tolist()})
        ig2 = IntegratedGradients(model).attribute(x, target=targets, n_steps=20, method="riemann_trapezoid")
        cases.append({"kind": "integrated-gradients", "model": name, "steps": 20, "method": "riemann_trapezoid", "targets": targets,
                      "attributions": npy(f"ig_trap_{name}", ig2)})
        cases.append({"kind": "gradient", "model": name, "targets": targets,
                      "attributions": npy(f"grad_{name}", Saliency(model).attribute(x, target=targets, abs=False))})
        cases.append({"kind": "gradient-x-input", "model": name, "targets": targets,
                      "attributions": npy(f"gxi_{name}", InputXGradient(model).attribute(x, target=targets))})
        cases.append({"kind": "guided-backprop", "model": name, "targets": targets,
                      "attributions": npy(f"gb_{name}", GuidedBackprop(model).attribute(x, target=targets))})
        # LIFT-CAM: the official code (Explanation.lift_cam / CAM_Explanation), one image at a time as it
        # is written; its `.cuda()` calls are made no-ops on this CPU-only machine.
        torch.Tensor.cuda = lambda self, *a, **k: self
        import Explanation as official
        layer_hook = (lambda m: m.features[-2]) if name == "vgg" else (lambda m: m.layer4)
        for i in range(2):
            xi = x[i:i + 1]
            acts = []
            h = layer_hook(model).register_forward_hook(lambda m, inp, out: acts.append(out.detach()))
            with torch.no_grad():
                logits = model(xi)
            h.remove()
            part = official.Model_Part(model).eval()
            # The class with the largest Y^c - F^c(0), so that sum_k phi_k > 0 and the map is not all zero on
            # these random nets (the official code takes any class_id; argmax is only its default).
            with torch.no_grad():
                cls = int(torch.argmax(logits - part(torch.zeros_like(acts[0])), 1))
            raw = official.lift_cam(model, xi, cls)                       # ReLU(sum phi_k A^k), 1x1xhxw
            final = official.CAM_Explanation(model, "LIFT-CAM")(xi, cls, (16, 16))  # bilinear + min-max
            # phi as the official code computes it (Captum DeepLift on Model_Part, zero reference)
            contrib, d = DeepLift(part).attribute(acts[0], torch.zeros_like(acts[0]), target=cls, return_convergence_delta=True)
            phi = contrib.sum(dim=(2, 3))[0]
            with torch.no_grad():
                y0 = part(torch.zeros_like(acts[0]))[0, cls]
            cases.append({"kind": "lift-cam", "model": name, "item": i, "class": cls,
                          "layer": "features.7" if name == "vgg" else "layer4",
                          "activation": npy(f"lift_{name}_{i}_act", acts[0][0]),
                          "phi": npy(f"lift_{name}_{i}_phi", phi),
                          "raw_map": npy(f"lift_{name}_{i}_raw", raw[0, 0]),
                          "map": npy(f"lift_{name}_{i}_map", final[0, 0]),
                          "score": float(logits[0, cls]), "zero_score": float(y0),
                          "convergence_delta": float(d[0])})
            # LRP-CAM (official lrp_cam: Captum LRP, default epsilon rules, on the same head)
            lrp_raw = official.lrp_cam(model, xi, cls)
            lrp_final = official.CAM_Explanation(model, "LRP-CAM")(xi, cls, (16, 16))
            rel = LRP(official.Model_Part(model).eval()).attribute(acts[0], target=cls)
            cases.append({"kind": "lrp-cam", "model": name, "item": i, "class": cls,
                          "layer": "features.7" if name == "vgg" else "layer4",
                          "phi": npy(f"lrpcam_{name}_{i}_phi", rel.sum(dim=(2, 3))[0]),
                          "raw_map": npy(f"lrpcam_{name}_{i}_raw", lrp_raw[0, 0]),
                          "map": npy(f"lrpcam_{name}_{i}_map", lrp_final[0, 0])})
    # Captum's Softmax rule (Rescale, then the mean over all elements subtracted) on the VGG model + Softmax
    soft = nn.Sequential(models["vgg"], nn.Softmax(dim=1)).eval()
    with Workarounds(soft):
        sa, sd = DeepLift(soft).attribute(x, ref_random, target=targets, return_convergence_delta=True)
    cases.append({"kind": "deeplift-softmax", "model": "vgg", "reference": "random", "targets": targets,
                  "attributions": npy("dl_vgg_softmax", sa), "convergence_delta": sd.tolist()})
    manifest = {
        "generator": "tools/make_attribution_goldens.py",
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "captum": getattr(captum, "__version__", "unknown") + " (/work/refs/captum)",
        "lift_cam_official": "/work/refs/LIFT-CAM Explanation.py",
        "input": "x.npy (2x3x16x16, torch.randn, generator seed 42)",
        "workarounds": "DeepLift, LayerDeepLift and DeepLiftShap goldens: MaxPool2d input cloned by a forward pre-hook; "
                       "max-pool unpool by scatter-add (lift-cam.md section 7). raw_captum_* entries: Captum unmodified.",
        "tolerances": {
            "deeplift": "abs 1e-7 + rel 1e-5 of max |golden| per element; convergence delta abs 1e-5",
            "layer-deeplift": "same as deeplift",
            "deeplift-shap": "same as deeplift",
            "integrated-gradients": "abs 1e-7 + rel 1e-5 of max |golden|",
            "gradient": "abs 1e-8 + rel 1e-5 of max |golden| (also gradient-x-input, guided-backprop)",
            "lift-cam": "activation, phi, raw map: abs 1e-6 + rel 1e-5 of max |golden|; final map abs 1e-5; Y^c and F^c(0) abs 1e-5",
            "lrp-cam": "phi and raw map abs 1e-6 + rel 1e-5 of max |golden|; final map abs 1e-5",
        },
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    for c in cases:
        if "raw_captum_convergence_delta" in c:
            print(c["model"], c["reference"], "fixed delta", c["convergence_delta"], "raw delta", c["raw_captum_convergence_delta"])
        elif "convergence_delta" in c:
            print(c["kind"], c["model"], "delta", c["convergence_delta"])


if __name__ == "__main__":
    main()
