#!/usr/bin/python3
"""Writes the Fashion-MNIST evaluation set for `candela evaluate`: the first N test images as 8-bit
grey PNGs (values exactly as stored) and annotations.csv with the label and one box per image, the
bounding box of its non-zero pixels (Fashion-MNIST has no annotated boxes; the object fills the
non-zero area, so this is the box the energy pointing game checks).

  /usr/bin/python3 tools/export_fashion_eval_set.py [--n 1000] [--out build/eval/fashion-test-1000]
"""
import argparse, gzip, os
import numpy as np
import cv2

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--n", type=int, default=1000)
ap.add_argument("--out", default="build/eval/fashion-test-1000")
args = ap.parse_args()


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


x = idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))[:args.n]
y = idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))[:args.n]
img_dir = os.path.join(args.out, "images")
os.makedirs(img_dir, exist_ok=True)
with open(os.path.join(args.out, "annotations.csv"), "w") as f:
    f.write("image,label,x0,y0,x1,y1\n")
    for i in range(len(x)):
        name = f"fashion-test-{i:04d}.png"
        cv2.imwrite(os.path.join(img_dir, name), x[i])
        ys, xs = np.nonzero(x[i])
        if len(xs):
            f.write(f"{name},{int(y[i])},{xs.min()},{ys.min()},{xs.max() + 1},{ys.max() + 1}\n")
        else:
            f.write(f"{name},{int(y[i])},,,,\n")
print("wrote", len(x), "images to", img_dir)
