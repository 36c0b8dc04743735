#!/usr/bin/python3
"""Goldens for Candela's LRP rules/composites (zennit, Captum) and FG-CAM (the official code).

Run with Debian's python3 (torch 1.13.1):  /usr/bin/python3 tools/make_lrp_fgcam_goldens.py
The reference libraries are imported by path from /work/refs (never copied into this repository):
  zennit   /work/refs/zennit/src   (rules, composites, NamedMergeBatchNorm canonizer)
  captum   /work/refs/captum       (LRP with its default epsilon rules)
  FG-CAM   /work/refs/FG-CAM       (FG_CAM.py and models/vgg.py + models/layers.py, driven on the CPU)

Writes testdata/golden/lrp/ and testdata/golden/fgcam/: weights as one flat float32 weights.npy plus an
index (name, shape, offset) in manifest.json, inputs and outputs as .npy. The Java tests rebuild the same
graphs from these weights.
"""
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REFS = os.environ.get("CANDELA_REFS", "/work/refs")
sys.path.insert(0, os.path.join(REFS, "zennit", "src"))
sys.path.insert(0, os.path.join(REFS, "captum"))
sys.path.insert(0, os.path.join(REFS, "FG-CAM"))


def _kwargs_hook_shim():
    """zennit's HEAD registers hooks with torch>=2.0's with_kwargs=True; torch 1.13 lacks it. Our models are
    never called with keyword arguments, so adapt those hooks to the 1.13 signatures with kwargs = {}."""
    pre, post = nn.Module.register_forward_pre_hook, nn.Module.register_forward_hook
    if "with_kwargs" in pre.__code__.co_varnames:
        return

    def register_pre(self, hook, with_kwargs=False, **kw):
        if not with_kwargs:
            return pre(self, hook, **kw)

        def adapted(m, args):
            r = hook(m, args, {})
            return None if r is None else r[0]
        return pre(self, adapted, **kw)

    def register_post(self, hook, with_kwargs=False, **kw):
        if not with_kwargs:
            return post(self, hook, **kw)
        return post(self, lambda m, args, out: hook(m, args, {}, out), **kw)
    nn.Module.register_forward_pre_hook = register_pre
    nn.Module.register_forward_hook = register_post

    # zennit's ParamMod swaps parameters with load_state_dict(..., assign=True) (torch>=2.1): put the given
    # tensors in place of the module's own (an attribute set by a canonizer shadows the parameter slot).
    load = nn.Module.load_state_dict

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not assign:
            return load(self, state_dict, strict)
        for k, v in state_dict.items():
            if k in self.__dict__:
                self.__dict__[k] = v
            elif k in self._parameters:
                self._parameters[k] = v
            elif k in self._buffers:
                self._buffers[k] = v
            else:
                raise KeyError(k)
    nn.Module.load_state_dict = load_state_dict


_kwargs_hook_shim()

from zennit.attribution import Gradient  # noqa: E402
from zennit.canonizers import NamedMergeBatchNorm  # noqa: E402
from zennit.composites import EpsilonAlpha2Beta1, EpsilonGammaBox, EpsilonPlus, LayerMapComposite, \
    SpecialFirstLayerMapComposite, layer_map_base  # noqa: E402
from zennit.layer import Sum  # noqa: E402
from zennit.rules import AlphaBeta, Epsilon, Flat, Gamma, WSquare, ZBox, ZPlus  # noqa: E402
from zennit.types import Convolution  # noqa: E402
from captum.attr import LRP  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_grad_enabled(True)


def seeded_bn(bn, gen):
    c = bn.num_features
    with torch.no_grad():
        bn.weight.copy_(torch.rand(c, generator=gen) + 0.5)
        bn.bias.copy_(torch.randn(c, generator=gen) * 0.1)
        bn.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
        bn.running_var.copy_(torch.rand(c, generator=gen) + 0.5)


def init_model(model, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.reset_parameters()
        if isinstance(m, nn.BatchNorm2d):
            seeded_bn(m, gen)
    model.eval()
    return model


def save_weights(model, out_dir):
    entries, flat, off = [], [], 0
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        a = t.detach().cpu().numpy().astype(np.float32).ravel()
        entries.append({"name": name, "shape": list(t.shape), "offset": off})
        flat.append(a)
        off += a.size
    np.save(os.path.join(out_dir, "weights.npy"), np.concatenate(flat))
    return entries


def save(out_dir, name, arr):
    a = np.ascontiguousarray(np.asarray(arr, dtype=np.float32))
    np.save(os.path.join(out_dir, name + ".npy"), a)
    return name + ".npy"


# ---------------------------------------------------------------------------------------------------
# LRP models: a small VGG-shaped net with BN and max pooling, and a small ResNet-shaped net.

class VggLrp(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2, 2))
        self.classifier = nn.Sequential(nn.Linear(16 * 4 * 4, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))

    bn_merges = [(["features.0"], "features.1"), (["features.3"], "features.4"), (["features.7"], "features.8")]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.sum = Sum()
        self.relu2 = nn.ReLU()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = self.down(x) if self.down is not None else x
        return self.relu2(self.sum(torch.stack([out, sc], dim=-1)))


class ResNetLrp(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.layer1 = Block(8, 8, 1)
        self.layer2 = Block(8, 16, 2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.gap(x), 1))

    bn_merges = [(["conv1"], "bn1"), (["layer1.conv1"], "layer1.bn1"), (["layer1.conv2"], "layer1.bn2"),
                 (["layer2.conv1"], "layer2.bn1"), (["layer2.conv2"], "layer2.bn2"), (["layer2.down.0"], "layer2.down.1")]


class MobileLrp(nn.Module):
    """MobileNet-shaped: strided stem, depthwise 3x3, pointwise 1x1, ReLU6, and an Inception-like Concat."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, 1, 1, groups=8, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.pw = nn.Sequential(nn.Conv2d(8, 12, 1, bias=False), nn.BatchNorm2d(12), nn.ReLU6())
        self.br = nn.Sequential(nn.Conv2d(8, 4, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU6())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.dw(self.stem(x))
        x = torch.cat([self.pw(x), self.br(x)], 1)
        return self.fc(torch.flatten(self.gap(x), 1))

    bn_merges = [(["stem.0"], "stem.1"), (["dw.0"], "dw.1"), (["pw.0"], "pw.1"), (["br.0"], "br.1")]


def zennit_relevance(model, x, cls, composite):
    model = copy.deepcopy(model)  # zennit's parameter swaps must not leak between cases
    with torch.no_grad():
        logits = model(x)
    seed = torch.zeros_like(logits)
    seed[torch.arange(x.shape[0]), cls] = logits[torch.arange(x.shape[0]), cls]
    inp = x.clone().requires_grad_(True)
    with Gradient(model=model, composite=composite) as attributor:
        out, rel = attributor(inp, seed)
    return rel.detach().numpy()


def single_rule_composite(rule, canonizers, first=None):
    layer_map = layer_map_base() + [(Convolution, rule), (nn.Linear, rule)]
    if first is None:
        return LayerMapComposite(layer_map=layer_map, canonizers=canonizers)
    return SpecialFirstLayerMapComposite(layer_map=layer_map, first_map=[(Convolution, first)], canonizers=canonizers)


def lrp_goldens():
    out_dir = os.path.join(ROOT, "testdata", "golden", "lrp")
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"tool": "tools/make_lrp_fgcam_goldens.py",
                "references": {"zennit": "zennit (run by path from /work/refs/zennit/src)",
                               "captum": "captum (run by path from /work/refs/captum)"},
                "torch": torch.__version__,
                "seed": "relevance seed = one-hot on the argmax class holding that logit's value (Captum's convention)",
                "tolerance": {"relative_to_max_abs": 1e-4, "note": "float32 in torch vs double accumulation in Java"},
                "models": {}}
    for name, cls_, seed in (("vgg", VggLrp, 11), ("resnet", ResNetLrp, 12), ("mobile", MobileLrp, 13)):
        model = init_model(cls_(), seed)
        mdir = os.path.join(out_dir, name)
        os.makedirs(mdir, exist_ok=True)
        entries = save_weights(model, mdir)
        g = torch.Generator().manual_seed(seed + 100)
        x = torch.randn(2, 3, 16, 16, generator=g)
        with torch.no_grad():
            logits = model(x)
        cls = logits.argmax(1)
        low = x.amin(dim=(0, 2, 3)).view(1, 3, 1, 1)
        high = x.amax(dim=(0, 2, 3)).view(1, 3, 1, 1)
        rec = {"weights": entries, "input": save(mdir, "input", x), "logits": save(mdir, "logits", logits),
               "classes": cls.tolist(), "zbox_low": low.flatten().tolist(), "zbox_high": high.flatten().tolist(),
               "outputs": {}}

        def canon():
            return [NamedMergeBatchNorm(cls_.bn_merges)]
        cases = {
            "rule-epsilon": lambda: single_rule_composite(Epsilon(), canon()),
            "rule-gamma": lambda: single_rule_composite(Gamma(), canon()),
            "rule-z-plus": lambda: single_rule_composite(ZPlus(), canon()),
            "rule-alpha-beta": lambda: single_rule_composite(AlphaBeta(), canon()),
            "rule-z-box": lambda: single_rule_composite(Epsilon(), canon(), first=ZBox(low, high)),
            "rule-flat": lambda: single_rule_composite(Flat(), canon()),
            "rule-w-square": lambda: single_rule_composite(WSquare(), canon()),
            "composite-epsilon-plus": lambda: EpsilonPlus(canonizers=canon()),
            "composite-epsilon-gamma-box": lambda: EpsilonGammaBox(low=low, high=high, canonizers=canon()),
            "composite-epsilon-alpha2-beta1": lambda: EpsilonAlpha2Beta1(canonizers=canon()),
            # batch norm not merged: zennit's Pass rule on it
            "composite-epsilon-plus-bn-pass": lambda: EpsilonPlus(),
        }
        for case, make in cases.items():
            rel = zennit_relevance(model, x, cls, make())
            rec["outputs"][case] = {"file": save(mdir, case, rel), "reference": "zennit",
                                    "bn": "pass" if case.endswith("bn-pass") else "merged", "sum": rel.sum(axis=(1, 2, 3)).tolist()}
        if name == "vgg":
            rel = LRP(model).attribute(x.clone().requires_grad_(True), target=cls).detach().numpy()
            rec["outputs"]["captum-epsilon"] = {"file": save(mdir, "captum-epsilon", rel), "reference": "captum LRP defaults",
                                                "bn": "epsilon", "sum": rel.sum(axis=(1, 2, 3)).tolist()}
            # LRP-CAM (LIFT-CAM code's variant): Captum LRP of y_c on the head after features.9 (last ReLU)
            with torch.no_grad():
                a = model.features[:10](x)

            class Head(nn.Module):
                def __init__(self, m):
                    super().__init__()
                    self.pool = m.features[10]
                    self.classifier = m.classifier

                def forward(self, t):
                    return self.classifier(torch.flatten(self.pool(t), 1))
            head = Head(model).eval()
            rel_a = LRP(head).attribute(a.clone().requires_grad_(True), target=cls).detach().numpy()
            rec["lrp_cam"] = {"layer": "features.9", "activations": save(mdir, "lrp-cam-activations", a),
                              "relevance": save(mdir, "lrp-cam-relevance", rel_a),
                              "phi": save(mdir, "lrp-cam-phi", rel_a.sum(axis=(2, 3))), "reference": "captum LRP on the head"}
        manifest["models"][name] = rec
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


# ---------------------------------------------------------------------------------------------------
# FG-CAM: the official classes on a vgg16_bn-shaped model (same 44 feature modules, widths / 16).

def fgcam_goldens():
    import FG_CAM as fg
    from models import vgg as fgvgg
    out_dir = os.path.join(ROOT, "testdata", "golden", "fgcam")
    os.makedirs(out_dir, exist_ok=True)
    cfg = [4, 4, 'M', 8, 8, 'M', 16, 16, 16, 'M', 32, 32, 32, 'M', 32, 32, 32, 'M']
    size = 128
    model = fgvgg.VGG(fgvgg.create_features_modules(cfg, batch_norm=True), num_classes=10)
    # Head adapted to the small input: pool5 is 32x4x4 and feeds the classifier directly (the official
    # AdaptiveAvgPool2d((7,7)) is outside `features` and never raised through). Features are untouched.
    model.avgpool = nn.Identity()
    model.classifier = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU(True), nn.Dropout(),
                                     nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, 10))
    init_model(model, 21)
    assert len(model.features) == 44
    entries = save_weights(model, out_dir)
    # The same model as ONNX (PyTorch's exporter folds each BN into its conv): read by Candela's importer in
    # FgCamOnnxGoldenTest. FG-CAM's rules are invariant to that folding when every BN gamma > 0 (seeded here).
    torch.onnx.export(model, torch.zeros(1, 3, 128, 128), os.path.join(out_dir, "vgg16bn_shaped.onnx"),
                      input_names=["input"], output_names=["logits"], opset_version=13,
                      training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)

    # the official Score-CAM hard-codes a 224x224 mask size; make it follow the input instead
    real_interp = F.interpolate

    def interp(t, size=None, **kw):
        return real_interp(t, size=(x.shape[2], x.shape[3]), **kw)

    class FShim:
        def __getattr__(self, k):
            return interp if k == "interpolate" else getattr(F, k)
    fg.F = FShim()

    from PIL import Image
    img = Image.open(os.path.join(ROOT, "..", "shared", "images", "dog.jpg")).convert("RGB").resize((size, size), Image.BILINEAR)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    x = torch.from_numpy(((arr - mean) / std).transpose(2, 0, 1)[None].copy())
    with torch.no_grad():
        logits = model(x)
    c = int(logits.argmax(1)[0])
    rec = {"tool": "tools/make_lrp_fgcam_goldens.py",
           "reference": "official FG-CAM (dongmo-qcq/FG-CAM) FG_CAM.py + models/layers.py, run by path on the CPU",
           "model": "vgg16_bn-shaped: features = official create_features_modules(cfg, batch_norm=True) with cfg " + str(cfg)
                    + "; avgpool replaced by identity; classifier Linear(512,64)-ReLU-Dropout-Linear(64,64)-ReLU-Dropout-Linear(64,10)",
           "monkeypatch": "FG_CAM.F.interpolate size follows the input (the official code hard-codes 224)",
           "input": save(out_dir, "input", x), "logits": save(out_dir, "logits", logits), "class": c,
           "weights": entries, "onnx": "vgg16bn_shaped.onnx", "torch": torch.__version__,
           "tolerance": {"relative_to_max_abs": 1e-4, "note": "float32 torch vs double-accumulating Java; no epsilon in the rules"},
           "cases": []}
    for base in ("grad_cam", "score_cam"):
        cam = fg.FG_CAM(model, base)
        comps = cam.get_explanation_component(x, c).detach()
        rec["components_" + base] = save(out_dir, "components-" + base, comps)
        rec["denoised_" + base] = save(out_dir, "denoised-" + base, cam.svd(comps)[None])
        for denoise in (False, True):
            for t in (43, 33, 23, 13, 6, -1):
                if denoise and t == 43:
                    continue  # official code returns a 3-D tensor there and sums the wrong axis
                e, _ = cam(x, denoise, t, c)
                e = e.detach().numpy()
                fname = "fg-%s-%s-%s" % (base, "denoise" if denoise else "plain", "input" if t < 0 else "features.%d" % t)
                rec["cases"].append({"base": base, "denoise": denoise, "target_layer": t, "file": save(out_dir, fname, e),
                                     "sum": float(e.sum()), "components_sum": float(comps.sum())})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(rec, f, indent=1)


if __name__ == "__main__":
    lrp_goldens()
    fgcam_goldens()
    print("done")
