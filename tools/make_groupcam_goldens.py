#!/usr/bin/python3
"""Group-CAM goldens (issue 3) from the official code: wofmanaf/Group-CAM, cam/groupcam.py.

    git -C MIRROR show cc85ed28:cam/groupcam.py > /tmp/groupcam_ref/groupcam.py

That commit (2021-06-22) is the last version of the file with the formula of the spec
(../shared/reference/cam-libraries.md 2.4: 70th-percentile threshold, constant masks skipped,
map = ReLU(sum_g s_g M_g) over min-max'ed masks); the 2021-08-18 rewrite ("significant updates")
drops the threshold and weights un-normalised masks by ReLU(s_g), and is not what Candela implements.
    /usr/bin/python3 tools/make_groupcam_goldens.py --groupcam /tmp/groupcam_ref/groupcam.py

The official file is imported by path (nothing of it is copied into this repo). Its environment
gets stand-ins written to /tmp at run time:
- `kornia.filters.gaussian.gaussian_blur2d` as kornia documents it: a normalised Gaussian kernel
  exp(-(i - k//2)^2 / (2 sigma^2)), i = 0..k-1, applied separably per channel after 'reflect' padding
  of k//2 on each side (kornia's default border_type);
- `.cuda()` on tensors and modules returns the object itself (the official code moves everything to
  CUDA unconditionally; this machine has none).
The official class hooks its target layer by module name; here its forward/backward hook methods are
attached to the ONNX node's module of golden_common.OnnxTorch instead. It explains one image at a time
(batch 1), with class_idx given (gradient of that raw logit; scores are softmax probabilities).

Writes testdata/golden/groupcam/<case>/map.npy and testdata/golden/groupcam/manifest.json.
"""
import argparse
import importlib.util
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_common as gc  # noqa: E402


def gaussian_blur2d(x, kernel_size, sigma, border_type="reflect"):
    ky, kx = kernel_size
    sy, sx = sigma

    def kernel(k, s):
        i = torch.arange(k, dtype=x.dtype) - k // 2
        g = torch.exp(-(i ** 2) / (2.0 * s ** 2))
        return g / g.sum()

    c = x.shape[1]
    x = F.pad(x, (kx // 2, kx // 2, ky // 2, ky // 2), mode=border_type)
    wx = kernel(kx, sx).view(1, 1, 1, kx).repeat(c, 1, 1, 1)
    wy = kernel(ky, sy).view(1, 1, ky, 1).repeat(c, 1, 1, 1)
    return F.conv2d(F.conv2d(x, wx, groups=c), wy, groups=c)


def install_stubs():
    kornia = types.ModuleType("kornia")
    filters = types.ModuleType("kornia.filters")
    gaussian = types.ModuleType("kornia.filters.gaussian")
    gaussian.gaussian_blur2d = gaussian_blur2d
    kornia.filters, filters.gaussian = filters, gaussian
    sys.modules.update({"kornia": kornia, "kornia.filters": filters, "kornia.filters.gaussian": gaussian})
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self


def load_official(path):
    spec = importlib.util.spec_from_file_location("official_groupcam", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.GroupCAM


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--groupcam", default="/tmp/groupcam_ref/groupcam.py", help="path to the official cam/groupcam.py")
    ap.add_argument("--commit", default="cc85ed28e8ba006a978fbbbda75967be876c1661", help="commit the file was taken from")
    args = ap.parse_args()
    install_stubs()
    GroupCAM = load_official(args.groupcam)
    torch.set_num_threads(1)
    suite = os.path.join(gc.GOLDEN, "groupcam")
    cases = []
    runs = [
        ("tiny_vgg", gc.tiny_onnx_path("tiny_vgg"), True, "tiny_vgg_b2", "/features/features.27/Relu", None),
        ("tiny_resnet", gc.tiny_onnx_path("tiny_resnet"), True, "tiny_resnet_b2", "/layer4/layer4.1/relu_1/Relu", None),
        ("mobilenet_v1_chelsea", gc.MOBILENET, False, "mobilenet_v1_chelsea", "conv_pw_13_relu", [281]),
    ]
    for name, path, committed, rcase, node, targets in runs:
        model = gc.OnnxTorch(path)
        x = torch.from_numpy(np.load(os.path.join(gc.GOLDEN, "runtime", rcase, "input.npy")))
        if targets is None:
            # the predicted class of each image (on random tiny models other classes often give no
            # positive score gain at all, and the official code then returns None)
            with torch.no_grad():
                targets = [int(i) for i in model(x).argmax(1)]
        maps = []
        for b, t in enumerate(targets):
            cam = GroupCAM(model, target_layer="(hooked below)", groups=32)
            layer = model.module(node)
            h1 = layer.register_forward_hook(cam.forward_hook)
            h2 = layer.register_backward_hook(cam.backward_hook)
            m = cam(x[b:b + 1].clone(), class_idx=t)
            h1.remove()
            h2.remove()
            if m is None:
                raise SystemExit("%s image %d: official Group-CAM returned None (constant map)" % (name, b))
            maps.append(m.detach().numpy()[0, 0])
        maps = np.float32(maps)
        out = os.path.join(suite, name)
        os.makedirs(out, exist_ok=True)
        gc.save_npy(os.path.join(out, "map.npy"), maps)
        cases.append({
            "name": name, "method": "group-cam",
            "model": {"file": gc.rel(path) if committed else "../shared/models/" + os.path.basename(path),
                      "sha256": gc.sha256(path)},
            "input": {"file": "../runtime/%s/input.npy" % rcase, "shape": list(x.shape)},
            "layers": [model.node_meta[node]], "targets": targets,
            "options": {"groups": 32, "percentile": 70, "blur_kernel": 51, "blur_sigma": 50.0},
            "arrays": {"map": {"file": name + "/map.npy", "shape": list(maps.shape),
                               "meaning": "official GroupCAM output per image (1,1,H,W)[0,0], stacked (B,H,W)",
                               "tolerance": {"atol": 1e-4}}},
        })
        print("%-30s map[%.3f, %.3f]" % (name, maps.min(), maps.max()), flush=True)
    gc.write_json(os.path.join(suite, "manifest.json"), {
        "suite": "groupcam", "generator": "tools/make_groupcam_goldens.py",
        "reference": {"repo": "https://github.com/wofmanaf/Group-CAM", "file": "cam/groupcam.py", "commit": args.commit},
        "paths": "case files relative to this directory; inputs '../runtime/...'; models relative to the project root",
        "cases": cases,
    })


if __name__ == "__main__":
    main()
