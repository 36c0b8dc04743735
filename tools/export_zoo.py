#!/usr/bin/python3
"""Exports the torchvision zoo of issue 13 to ONNX with PyTorch's outputs, OUTSIDE the repository.

    /usr/bin/python3 tools/export_zoo.py OUT_DIR [name,name,...]

For each architecture: seeded random weights (torch.manual_seed), every BatchNorm2d given random affine
parameters and randomised running statistics around calibrated ones (calibrate_batchnorm; folded into the
convs by the exporter as in a default eval export), opset 13, a fixed input size (the smallest the architecture
takes cleanly: its adaptive pools must divide), a seeded N(0,1) input, and PyTorch's output on it:

    OUT_DIR/<name>.onnx  OUT_DIR/<name>.input.npy  OUT_DIR/<name>.output.npy  OUT_DIR/zoo.json
    OUT_DIR/<name>.output64.npy (the same model run in float64: how far float32 itself is from exact)

Segmentation nets return their 'out' map (N x 21 x H x W); their backbones are random too
(weights_backbone=None: nothing is downloaded). The files are big (VGG-11 ~0.5 GB) and never committed;
the zoo test profile (ZooTest) reads OUT_DIR from -Dcandela.zoo or CANDELA_ZOO and skips without it.
"""
import copy
import json
import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402

# name -> (input side, seed). Sides: VGG/AlexNet need 224 (adaptive 7x7 / 6x6 pools must divide),
# Inception v3 160 (its last block must stay larger than 1x1 for CAM layers); the rest take 64. Segmentation nets at 96.
CLASSIFIERS = {
    "resnet18": 64, "resnext50_32x4d": 64, "wide_resnet50_2": 64, "vgg11_bn": 224, "alexnet": 224,
    "squeezenet1_1": 64, "densenet121": 64, "googlenet": 64, "mobilenet_v2": 64, "regnet_x_400mf": 64,
    "mobilenet_v3_small": 64, "efficientnet_b0": 64, "efficientnet_v2_s": 64, "regnet_y_400mf": 64,
    "mnasnet0_5": 64, "inception_v3": 160, "shufflenet_v2_x0_5": 64, "convnext_tiny": 64,
}
SEGMENTATION = {"fcn_resnet50": 96, "deeplabv3_mobilenet_v3_large": 96, "lraspp_mobilenet_v3_large": 96}
ALL = list(CLASSIFIERS) + list(SEGMENTATION)


class OutOnly(torch.nn.Module):
    """Segmentation models return {'out': ...}; the export takes the map."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)["out"]


def seed_of(name):
    return 1300 + ALL.index(name)


def build(name):
    torch.manual_seed(seed_of(name))
    if name in SEGMENTATION:
        net = getattr(torchvision.models.segmentation, name)(weights=None, weights_backbone=None, num_classes=21, aux_loss=False)
        model = OutOnly(net)
    else:
        kwargs = {"weights": None}
        if name in ("googlenet", "inception_v3"):
            kwargs.update(aux_logits=False, init_weights=True)
        model = getattr(torchvision.models, name)(**kwargs)
    calibrate_batchnorm(model, name)
    return model.eval()


def calibrate_batchnorm(model, name):
    """BatchNorm statistics that keep the signal alive: random affine parameters (gamma U(0.8, 1.2),
    beta N(0, 0.05)), running statistics measured on 8 seeded N(0,1) images (cumulative average), then
    randomised around those (mean + 0.05 N(0,1) std, var x U(0.9, 1.1)). Wider ranges (golden_common's
    U(0.5, 1.5)) make EfficientNetV2-S chaotic: PyTorch's own float32 output is then 4.5e-3 from float64. Purely random statistics make the
    deep SE nets (EfficientNet, MobileNetV3) output a constant (logit(x) - logit(0) ~ 1e-8), which would
    leave nothing to explain or to check DeepLIFT's summation against."""
    gen = torch.Generator().manual_seed(seed_of(name) + 1000)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            c = m.num_features
            m.weight.copy_(torch.empty(c).uniform_(0.8, 1.2, generator=gen))
            m.bias.copy_(torch.empty(c).normal_(0.0, 0.05, generator=gen))
        model.eval()
        for m in bns:
            m.train()
            m.momentum = None
            m.reset_running_stats()
        s = side(name)
        model(torch.randn(8, 3, s, s, generator=gen))
        model.eval()
        for m in bns:
            c = m.num_features
            m.running_mean.add_(0.05 * m.running_var.sqrt() * torch.empty(c).normal_(generator=gen))
            m.running_var.mul_(torch.empty(c).uniform_(0.9, 1.1, generator=gen))


def side(name):
    return CLASSIFIERS.get(name) or SEGMENTATION[name]


def export(name, out):
    s = side(name)
    model = build(name)
    x = torch.from_numpy(np.random.default_rng(seed_of(name)).standard_normal((1, 3, s, s)).astype(np.float32))
    with torch.no_grad():
        y = model(x)
        y64 = copy.deepcopy(model).double()(x.double())
    f32_vs_f64 = float((y.double() - y64).abs().max() / y64.abs().max())
    path = os.path.join(out, name + ".onnx")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, path, opset_version=13, do_constant_folding=True,
                          keep_initializers_as_inputs=False, input_names=["input"], output_names=["output"])
    gc.save_npy(os.path.join(out, name + ".input.npy"), x.numpy())
    gc.save_npy(os.path.join(out, name + ".output.npy"), y.numpy())
    import onnx
    m = onnx.load(path)
    ops = sorted({n.op_type for n in m.graph.node})
    gc.save_npy(os.path.join(out, name + ".output64.npy"), y64.numpy(), dtype=np.float64)
    return {"input": [1, 3, s, s], "torch_float32_vs_float64": f32_vs_f64, "output": list(y.shape), "seed": seed_of(name), "ops": ops,
            "segmentation": name in SEGMENTATION, "onnx_sha256": gc.sha256(path), "bytes": os.path.getsize(path)}


def main():
    out = sys.argv[1]
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else ALL
    os.makedirs(out, exist_ok=True)
    gc.setup_torch()
    manifest_path = os.path.join(out, "zoo.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {"versions": gc.versions(), "models": {}}
    for name in names:
        manifest["models"][name] = export(name, out)
        print(name, manifest["models"][name]["output"], manifest["models"][name]["ops"], flush=True)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
