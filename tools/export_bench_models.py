#!/usr/bin/python3
"""Exports the big models of the explanation benchmarks to ONNX (tools/build/, ignored by git):
torchvision resnet50, vgg16 and efficientnet_b0 with seeded random weights (and random BatchNorm statistics,
folded into the convs by the exporter), batch axis dynamic, opset 13. EfficientNet-B0 is only a forward-pass
benchmark against ONNX Runtime (tools/bench_ort.sh).

    /usr/bin/python3 tools/export_bench_models.py [resnet50,vgg16,efficientnet_b0]

The PyTorch peers (tools/bench_cam_torch.py, tools/bench_attr_torch.py) rebuild the same modules
with bench_model() below, so both sides explain identical weights.
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402

SEEDS = {"resnet50": 50, "vgg16": 16, "efficientnet_b0": 0}


def bench_model(name):
    torch.manual_seed(SEEDS[name])
    model = getattr(torchvision.models, name)()
    gc.randomize_batchnorm(model, torch.Generator().manual_seed(SEEDS[name] + 1000))
    return model.eval()


def onnx_path(name):
    return os.path.join(gc.BUILD, "%s_224.onnx" % name)


def bench_input():
    """The image every benchmark explains on ResNet-50 / VGG-16: seeded N(0,1), 1x3x224x224 float32."""
    import numpy as np
    path = os.path.join(gc.BUILD, "input_224.npy")
    if not os.path.exists(path):
        gc.save_npy(path, np.random.default_rng(224).standard_normal((1, 3, 224, 224)))
    return path


def main():
    bench_input()
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(SEEDS)
    for name in names:
        path = onnx_path(name)
        gc.export_onnx(bench_model(name), torch.randn(1, 3, 224, 224), path, keep_batchnorm=False)
        print(path, os.path.getsize(path), gc.sha256(path))


if __name__ == "__main__":
    main()
