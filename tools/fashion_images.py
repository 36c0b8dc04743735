#!/usr/bin/python3
"""Writes testdata/images/fashion-<class>-<name>.png: the first image of each class in the
Fashion-MNIST test set (Debian's dataset-fashion-mnist), 28x28 8-bit grey, values exactly as stored.
Reproduce: /usr/bin/python3 tools/fashion_images.py
"""
import os
import re
import sys

import cv2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_fashion as tf  # noqa: E402

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = os.path.join(root, "testdata/images")
os.makedirs(out, exist_ok=True)
x, y = tf.load("test")
for c, label in enumerate(tf.LABELS):
    idx = int((y == c).nonzero()[0][0])
    slug = re.sub(r"[^a-z]+", "-", label.lower()).strip("-")
    name = f"fashion-{c}-{slug}.png"
    cv2.imwrite(os.path.join(out, name), x[idx])
    print(f"{name}\ttest index {idx}\tclass {c} ({label})")
