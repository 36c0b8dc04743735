#!/usr/bin/python3
"""Goldens for LRP with relevance splitting at residual sums (lrp(residual=split|even)) from the official code of
Otsuki et al., "Layer-Wise Relevance Propagation with Conservation Property for ResNet", ECCV 2024
(keio-smilab24/LRP-for-ResNet: src/lrp.py, src/lrp_layers.py, src/utils.py, models/), checked out from the mirror to
a temporary folder and run by path; nothing of it is copied into this repository.

The model is a seeded torchvision-ResNet-shaped net (conv1-bn1-relu stem, an identity BasicBlock, a strided
BasicBlock with a 1x1 conv + BN downsample, adaptive average pooling, fc with a zero bias) wrapped the way the official
OneWayResNet is (features / avgpool / classifier), so the official LRPModel parses it. Its layers are built by
layers_lookup("flows_skip") (the paper's ratio-based splitting, |main| / (|main| + |shortcut|)) and
layers_lookup("flows_skip_simple") (the symmetric 1/2 splitting): z+ on convolutions (weights clamped at 0, +1e-5),
z+ without bias on the fc, batch norm and ReLU passed, relevance at a block's input = main share + shortcut share.

Two departures from LRPModel.forward, both outside the rules under test: (1) the relevance seed is the target logit on
the target class (Candela's convention) instead of the softmax probability (every rule here is linear in the seed);
(2) the relevance is read at each block's input rather than at the image, because LRPModel.forward feeds the first
conv a tensor of ones instead of the image ("avoids using image information"), which no Candela rule does.
So the stored outputs are the relevance at layer1.0's input (tensor "relu"), at layer2.0's input ("layer1.0.relu2")
and at layer2.0's output ("layer2.0.relu2", before any residual sum).

Usage: /usr/bin/python3 tools/make_lrp_split_goldens.py [outdir]   (default testdata/golden/lrp_split)
"""
import json
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/golden/lrp_split"
MIRROR = "/work/.mirror/keio-smilab24+LRP-for-ResNet/repo"

REF_DIR = tempfile.mkdtemp(prefix="lrp-for-resnet-")
REF_COMMIT = subprocess.check_output(["git", "--git-dir=" + MIRROR, "rev-parse", "HEAD"], text=True).strip()
subprocess.run(["tar", "-x", "-C", REF_DIR], input=subprocess.check_output(
    ["git", "--git-dir=" + MIRROR, "archive", "HEAD", "src", "models", "utils"]), check=True)
sys.path.insert(0, REF_DIR)
# models/attention_branch.py imports timm's ByobNet at module level (only for its attention-branch models, not used
# here); timm is not installed, so give that one name a stand-in class.
for _n in ("timm", "timm.models", "timm.models.byobnet"):
    sys.modules.setdefault(_n, types.ModuleType(_n))
sys.modules["timm.models.byobnet"].ByobNet = type("ByobNet", (nn.Module,), {})

from src.lrp import LRPModel  # noqa: E402

torch.set_num_threads(1)


class OneWay(nn.Module):
    """The official OneWayResNet layout (features, avgpool, classifier) around a small ResNet."""
    def __init__(self):
        super().__init__()
        down = nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Sequential(BasicBlock(8, 8)),
            nn.Sequential(BasicBlock(8, 16, stride=2, downsample=down)))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


# Candela's node names (TorchModelBuilder) for the modules above
NAMES = {"features.0": "conv1", "features.1": "bn1", "features.3.0": "layer1.0", "features.4.0": "layer2.0",
         "classifier.0": "fc"}


def candela_name(k):
    for a, b in NAMES.items():
        if k.startswith(a + "."):
            return b + k[len(a):]
    raise KeyError(k)


def seeded(seed):
    torch.manual_seed(seed)
    m = OneWay()
    # the official Linear rule zeroes the bias (z+ without bias); Candela's z+ keeps b+, so the fc bias is 0 here
    m.classifier[0].bias.data.zero_()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            c = mod.num_features
            mod.weight.data = torch.empty(c).uniform_(0.5, 1.5)
            mod.bias.data = torch.randn(c) * 0.2
            mod.running_mean.data = torch.randn(c) * 0.2
            mod.running_var.data = torch.empty(c).uniform_(0.5, 1.5)
    return m.eval()


def official_relevance(model, x, seed, version):
    """LRPModel's backward loop (src/lrp.py) with the official layers, from `seed`; relevance at each block input."""
    lrp = LRPModel(model, rel_pass_ratio=0.0, skip_connection_prop=version)
    acts = [x]
    with torch.no_grad():
        for layer in lrp.layers:
            acts.append(layer.forward(acts[-1]))
    acts = [a.data.requires_grad_(True) for a in acts[::-1]]
    acts.pop(0)
    r = seed
    out = {}
    # lrp_layers run backwards: fc, flatten, avgpool, block layer2.0, block layer1.0, relu, bn1, conv1
    names = ["fc", "flatten", "gap", "layer2.0", "layer1.0"]
    for name, layer in zip(names, lrp.lrp_layers):
        r = layer.forward(acts.pop(0), r)
        out[name] = r.detach().clone()
    return {"layer2.0.relu2": out["gap"], "layer1.0.relu2": out["layer2.0"], "relu": out["layer1.0"]}


def main():
    os.makedirs(OUT, exist_ok=True)
    model = seeded(31)
    g = torch.Generator().manual_seed(131)
    x = torch.randn(2, 3, 16, 16, generator=g)
    with torch.no_grad():
        logits = model(x)
    cls = logits.argmax(1)
    seed = torch.zeros_like(logits)
    seed[torch.arange(2), cls] = logits[torch.arange(2), cls]

    entries, flat, off = [], [], 0
    for k, t in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        a = t.detach().numpy().astype(np.float32).ravel()
        entries.append({"name": candela_name(k), "shape": list(t.shape), "offset": off})
        flat.append(a)
        off += a.size
    np.save(os.path.join(OUT, "weights.npy"), np.concatenate(flat))
    np.save(os.path.join(OUT, "input.npy"), x.numpy())
    np.save(os.path.join(OUT, "logits.npy"), logits.numpy())

    outputs = {}
    for residual, version in (("split", "flows_skip"), ("even", "flows_skip_simple")):
        rel = official_relevance(model, x, seed.clone(), version)
        for tensor, r in rel.items():
            a = r.numpy()
            assert np.isfinite(a).all(), "official relevance has NaN (a unit with main = shortcut = 0)"
            f = "%s-%s.npy" % (residual, tensor)
            np.save(os.path.join(OUT, f), a.astype(np.float32))
            outputs.setdefault(residual, {})[tensor] = {"file": f, "sum": a.reshape(2, -1).sum(1).tolist()}
    manifest = {
        "tool": "tools/make_lrp_split_goldens.py",
        "reference": "keio-smilab24/LRP-for-ResNet (official code of Otsuki et al., ECCV 2024), commit " + REF_COMMIT
                     + ", run by path; layers_lookup('flows_skip') = residual split, 'flows_skip_simple' = residual even",
        "torch": torch.__version__,
        "candela_method": "lrp(rule=z-plus,residual=split|even,bn=pass)",
        "seed": "target logit on the argmax class (official: softmax probability; the rules are linear in the seed)",
        "weights": entries, "input": "input.npy", "logits": "logits.npy", "classes": cls.tolist(),
        "logit_of_class": seed[torch.arange(2), cls].tolist(),
        "tolerance": {"relative_to_max_abs": 1e-5, "candela_composite": "z+ and pooling stabiliser 1e-5 (the official +1e-5)",
                      "default_stabiliser_1e-6": 2e-2, "note": "float32 torch vs double accumulation in Java"},
        "outputs": outputs,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({k: {t: v["sum"] for t, v in o.items()} for k, o in outputs.items()}), manifest["logit_of_class"])


if __name__ == "__main__":
    main()
