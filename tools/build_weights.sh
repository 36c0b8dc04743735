#!/usr/bin/env bash
# Reproduces weights/: trains the two Fashion-MNIST models (tools/train_fashion.py, Debian python3-torch
# and dataset-fashion-mnist; ~1 CPU-hour together on one core), converts them with `candela convert`
# and keeps the training record (accuracy, per-epoch log, settings) beside each model.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p tools/build weights
for arch in vgg resnet; do
  /usr/bin/python3 tools/train_fashion.py --arch "$arch" --out tools/build
  ./candela convert "tools/build/fashion-$arch.onnx" "weights/fashion-$arch.cnd" \
      --labels tools/build/fashion-labels.txt --mean 0.2860 --std 0.3530
  cp "tools/build/fashion-$arch.json" "weights/fashion-$arch.train.json"
done
