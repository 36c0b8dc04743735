#!/usr/bin/python3
"""Train Candela's shipped Fashion-MNIST models and export them to ONNX.

Two small networks, each with three resolution stages (28 -> 14 -> 7) so that FG-CAM has levels
to climb:
  fashion-vgg     VGG-style: (conv3x3-BN-ReLU) x2 per stage, max-pool between stages, GAP, linear.
  fashion-resnet  ResNet-style: stem, one basic residual block per stage (stride-2 blocks with a
                  1x1 projection shortcut between stages), GAP, linear.

Data: Debian's dataset-fashion-mnist (Zalando Research, MIT), read from /usr/share/datasets.
Input: 1x1x28x28 float, value = (pixel/255 - 0.2860) / 0.3530 (the training set's mean and std).
Training: seeded, one CPU thread (the machine is shared), Adam + one-cycle learning rate,
augmentation = horizontal flip (optionally random crops with 2-pixel zero padding). Widths
16/32/64 and 8 epochs: the build machine is shared, so the nets are kept small.

Writes into OUTDIR (default tools/build/):
  fashion-<arch>.onnx       opset 13, input "input" [1,1,28,28], output "logits" [1,10]
  fashion-<arch>.json       test accuracy on the 10,000 test images, per-epoch log, settings
  fashion-labels.txt        the ten class names, index = line number
Reproduce: /usr/bin/python3 tools/train_fashion.py [--arch vgg|resnet|both] [--out tools/build]
"""
import argparse
import gzip
import json
import os
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN, STD = 0.2860, 0.3530
SEED = 20261121


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz")
    y = read_idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz")
    return x, y.astype(np.int64)


def normalise(x_uint8):
    x = torch.from_numpy(x_uint8.astype(np.float32) / 255.0)
    return ((x - MEAN) / STD).unsqueeze(1)


def cbr(cin, cout, stride=1):
    return [("conv", nn.Conv2d(cin, cout, 3, stride, 1, bias=False)),
            ("bn", nn.BatchNorm2d(cout)), ("relu", nn.ReLU())]


class Vgg(nn.Module):
    def __init__(self, widths=(32, 64, 128)):
        super().__init__()
        c1, c2, c3 = widths

        def stage(cin, cout):
            a, b = cbr(cin, cout), cbr(cout, cout)
            return nn.Sequential(OrderedDict(
                [(n + "1", m) for n, m in a] + [(n + "2", m) for n, m in b]))
        self.stage1 = stage(1, c1)           # 28x28
        self.pool1 = nn.MaxPool2d(2)
        self.stage2 = stage(c1, c2)          # 14x14
        self.pool2 = nn.MaxPool2d(2)
        self.stage3 = stage(c2, c3)          # 7x7
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c3, 10)

    def forward(self, x):
        x = self.pool1(self.stage1(x))
        x = self.pool2(self.stage2(x))
        x = self.stage3(x)
        return self.fc(self.flatten(self.gap(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(cin, cout, 1, stride, 0, bias=False)),
                ("bn", nn.BatchNorm2d(cout))]))
        self.relu2 = nn.ReLU()

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(y + s)


class ResNet(nn.Module):
    def __init__(self, widths=(32, 64, 128)):
        super().__init__()
        c1, c2, c3 = widths
        self.stem = nn.Sequential(OrderedDict(cbr(1, c1)))   # 28x28
        self.stage1 = Block(c1, c1, 1)                        # 28x28
        self.stage2 = Block(c1, c2, 2)                        # 14x14
        self.stage3 = Block(c2, c3, 2)                        # 7x7
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c3, 10)

    def forward(self, x):
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.fc(self.flatten(self.gap(x)))


def augment(x, gen, crop):
    """Horizontal flip, and with crop=True a random crop from 2-pixel zero padding, per image."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    if not crop:
        out = x.clone()
        out[flip] = x[flip].flip(-1)
        return out
    background = (0.0 - MEAN) / STD
    padded = F.pad(x, (2, 2, 2, 2), value=background)
    dx = torch.randint(0, 5, (n,), generator=gen)
    dy = torch.randint(0, 5, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        img = padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
        out[i] = img.flip(-1) if flip[i] else img
    return out


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train(arch, args, out):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    widths = tuple(int(w) for w in args.widths.split(","))
    model = Vgg(widths) if arch == "vgg" else ResNet(widths)
    xtr, ytr = load("train")
    xte, yte = load("test")
    xtr, xte = normalise(xtr), normalise(xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    if args.limit:
        xtr, ytr = xtr[:args.limit], ytr[:args.limit]
    steps = args.epochs * ((xtr.shape[0] + args.batch - 1) // args.batch)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps)
    log = []
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        total, seen = 0.0, 0
        for i in range(0, xtr.shape[0], args.batch):
            idx = perm[i:i + args.batch]
            xb, yb = augment(xtr[idx], gen, args.crop), ytr[idx]
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * idx.shape[0]
            seen += idx.shape[0]
        acc = evaluate(model, xte, yte)
        entry = {"epoch": epoch + 1, "train_loss": round(total / seen, 5),
                 "test_accuracy": acc, "seconds": round(time.time() - t0, 1)}
        log.append(entry)
        print(arch, json.dumps(entry), flush=True)
    model.eval()
    acc = evaluate(model, xte, yte)
    onnx_path = os.path.join(out, f"fashion-{arch}.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"], do_constant_folding=True)
    with torch.no_grad():
        logits = torch.cat([model(xte[i:i + 1000]) for i in range(0, 10000, 1000)])
    np.save(os.path.join(out, f"fashion-{arch}-test-logits.npy"), logits.numpy().astype(np.float32))
    params = sum(p.numel() for p in model.parameters())
    info = {
        "model": f"fashion-{arch}", "architecture": repr(model), "parameters": params,
        "widths": widths, "test_accuracy": acc,
        "test_correct": int(round(acc * 10000)), "test_images": int(xte.shape[0]),
        "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "weight_decay": args.wd,
        "optimizer": "Adam + OneCycleLR, label smoothing 0.05",
        "augmentation": ("random crop 28 from 2-pixel padding, " if args.crop else "") + "horizontal flip p=0.5",
        "seed": SEED, "threads": torch.get_num_threads(), "torch": torch.__version__,
        "normalisation": {"mean": MEAN, "std": STD, "formula": "(pixel/255 - mean)/std"},
        "input": [1, 1, 28, 28], "labels": LABELS, "log": log,
        "train_seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(out, f"fashion-{arch}.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(arch, "test accuracy", acc, "->", onnx_path, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="both", choices=["vgg", "resnet", "both"])
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "build"))
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--crop", action="store_true", help="also augment with random crops (slower to converge)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--wd", type=float, default=1e-4)
    p.add_argument("--widths", default="16,32,64")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images (smoke test)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "fashion-labels.txt"), "w") as f:
        f.write("\n".join(LABELS) + "\n")
    for arch in (["vgg", "resnet"] if args.arch == "both" else [args.arch]):
        train(arch, args, args.out)


if __name__ == "__main__":
    main()
