#!/usr/bin/python3
"""Trains the tiny Fashion-MNIST CNN that the metric property tests use (testdata/models/fashion-tiny).

The shipped Fashion-MNIST models land in weights/ from another branch; the metric property tests need
a trained model now and one small enough to run in a unit test, so this script trains one:
conv1(1->8,3x3,pad1) relu maxpool2 conv2(8->16,3x3,pad1) relu mean(H,W) fc(16->10), 2 epochs, Adam,
seeded. Writes the weights as .npy (PyTorch layouts), 32 test images (pixel/255, N x 1 x 28 x 28),
their labels, and card.json (accuracy on the 10,000 test images).

  /usr/bin/python3 tools/train_metric_test_model.py [--data /usr/share/datasets/fashion-mnist]
"""
import argparse, gzip, json, os
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "testdata", "models", "fashion-tiny"))
args = ap.parse_args()
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


xtr = torch.from_numpy(idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0)[:, None]
ytr = torch.from_numpy(idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
xte = torch.from_numpy(idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0)[:, None]
yte = torch.from_numpy(idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        return self.fc(x.mean(dim=(2, 3)))


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
for epoch in range(2):
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 128):
        b = perm[i:i + 128]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(xtr[b]), ytr[b])
        loss.backward()
        opt.step()
net.eval()
with torch.no_grad():
    acc = (net(xte).argmax(1) == yte).float().mean().item()
os.makedirs(args.out, exist_ok=True)
for k, v in net.state_dict().items():
    np.save(os.path.join(args.out, k + ".npy"), v.numpy().astype(np.float32))
np.save(os.path.join(args.out, "test_images.npy"), xte[:32].numpy())
np.save(os.path.join(args.out, "test_labels.npy"), yte[:32].numpy())
json.dump({"data": "Fashion-MNIST (Zalando, MIT), Debian dataset-fashion-mnist", "epochs": 2, "seed": 0,
           "architecture": "conv1(1->8,3x3,pad1) relu maxpool2 conv2(8->16,3x3,pad1) relu mean fc(16->10)",
           "test_accuracy": round(acc, 4), "inputs": "pixel/255, N x 1 x 28 x 28",
           "generator": "tools/train_metric_test_model.py"},
          open(os.path.join(args.out, "card.json"), "w"), indent=1)
print("test accuracy", acc)
