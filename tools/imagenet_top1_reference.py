#!/usr/bin/python3
"""Reference top-1 of the shared MobileNet on ../shared/imagenet-sample, made with PIL + torchvision + torch.

For every photo and every preprocessing variant Candela offers, the photo is decoded by PIL (embedded ICC
profiles ignored, as PIL, torchvision and ImageNet training pipelines do), converted to RGB, cropped and
resized as the variant says, scaled to pixel/127.5 - 1 (the model's convention, see
../shared/models/README.md) and run through the ONNX model evaluated in PyTorch (a small ONNX -> torch
interpreter below: Debian's onnx 1.12 has no reference evaluator). Writes one CSV row per (file, variant):
the top-1 class, its logit and the margin to the second logit (so a disagreement can be judged).

Variants (the names Candela's preprocessing metadata uses):
  center-square/bilinear            largest centred square (offsets rounded down), then
                                    torch.nn.functional.interpolate(224, bilinear, align_corners=False,
                                    antialias=False) on the float pixels
  center-square/bilinear-antialias  the same square, then PIL Image.resize((224, 224), BILINEAR)
                                    (PIL's bilinear filter widens with the reduction: antialiased, 8-bit result)
  shorter-side-256/bilinear-antialias  torchvision Resize(256) + CenterCrop(224) on the PIL image
                                    (the ImageNet evaluation pipeline)
  shorter-side-256/bilinear         torchvision Resize(256, antialias=False) + CenterCrop(224) on the
                                    float tensor

Usage: /usr/bin/python3 tools/imagenet_top1_reference.py [--shared ../shared] [--out testdata/imagenet-top1.csv]
Photos are read from the shared folder and never copied.
"""
import argparse, csv, os, sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_torch import OnnxTorch  # noqa: E402

ap = argparse.ArgumentParser()
here = os.path.dirname(os.path.abspath(__file__))
ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
ap.add_argument("--out", default=os.path.join(here, "..", "testdata", "imagenet-top1.csv"))
ap.add_argument("--limit", type=int, default=0)
args = ap.parse_args()
torch.set_num_threads(1)


def center_square(img):
    w, h = img.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    return img.crop((left, top, left + s, top + s))


def to_float(img):  # PIL RGB -> 1 x 3 x H x W float pixels 0..255
    return torch.from_numpy(np.asarray(img, dtype=np.float32).copy()).permute(2, 0, 1).unsqueeze(0)


def variants(img):
    sq = center_square(img)
    yield "center-square/bilinear", F.interpolate(to_float(sq), size=(224, 224), mode="bilinear",
                                                   align_corners=False, antialias=False)
    yield "center-square/bilinear-antialias", to_float(sq.resize((224, 224), Image.BILINEAR))
    pil = T.Compose([T.Resize(256, interpolation=T.InterpolationMode.BILINEAR), T.CenterCrop(224)])(img)
    yield "shorter-side-256/bilinear-antialias", to_float(pil)
    t = TF.resize(to_float(img), 256, interpolation=T.InterpolationMode.BILINEAR, antialias=False)
    yield "shorter-side-256/bilinear", TF.center_crop(t, 224)


model = OnnxTorch(os.path.join(args.shared, "models", "mobilenet_v1_0.25_224_imagenet.onnx"))
folder = os.path.join(args.shared, "imagenet-sample")
with open(os.path.join(folder, "labels.csv")) as f:
    files = [r["file"] for r in csv.DictReader(f)]
if args.limit:
    files = files[:args.limit]
rows = []
with torch.no_grad():
    for name in files:
        with Image.open(os.path.join(folder, name)) as im:
            img = im.convert("RGB")  # PIL never applies an embedded ICC profile here
        for variant, x in variants(img):
            assert x.shape == (1, 3, 224, 224), (name, variant, x.shape)
            logits = model(x / 127.5 - 1.0)[0]
            top2 = torch.topk(logits, 2)
            rows.append((name, variant, int(top2.indices[0]), float(top2.values[0]),
                         float(top2.values[0] - top2.values[1])))
os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
with open(args.out, "w", newline="") as f:
    f.write("# made by tools/imagenet_top1_reference.py: PIL %s, torch %s, torchvision %s, onnx %s\n"
            % (Image.__version__, torch.__version__, __import__("torchvision").__version__, onnx.__version__))
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["file", "variant", "top1", "logit", "margin"])
    for r in rows:
        w.writerow([r[0], r[1], r[2], "%.5f" % r[3], "%.5f" % r[4]])
print("wrote", len(rows), "rows for", len(files), "photos to", args.out)
