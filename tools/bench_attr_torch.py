#!/usr/bin/python3
"""The peers of Candela's LIFT-CAM / FG-CAM / DeepLIFT benchmark (dev.candela.bench.ExplainBench),
run from their checkouts by path on the same models, input and target (class 281):

- lift-cam: the official LIFT-CAM code (/work/refs/LIFT-CAM Explanation.CAM_Explanation(model,
  "LIFT-CAM"): forward with a hook, Captum DeepLift on the head from zero maps, bilinear, min-max).
  It only accepts torchvision VGG / ResNet; on the MobileNet the same wiring is written here (Captum
  DeepLift on the part of the OnnxTorch graph after conv_pw_13_relu, zero reference, same pipeline).
- fg-cam: the official FG-CAM code (/work/refs/FG-CAM FG_CAM, Grad-CAM base, raised to the input,
  no denoising) on its own VGG-16 module class loaded with the same weights as torchvision's vgg16.
  Its `.cuda()` calls are made no-ops. The official code explains the last feature module
  (features.30, pool5); Candela is run at the same layer for this row. VGG only (the official
  code has no other architecture).
- deeplift: Captum DeepLift at the input, zero reference (raw Captum; the max-pool work-arounds of
  tools/make_attribution_goldens.py change numbers, not cost).
- grad-cam: pytorch-grad-cam GradCAM, for the LIFT-CAM / Grad-CAM ratio on the peer side.

    OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 tools/bench_attr_torch.py --model vgg16 --threads 1 [--methods lift-cam,fg-cam,deeplift]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
sys.path.insert(0, "/work/refs/captum")
sys.path.insert(0, "/work/refs/LIFT-CAM")
import bench_cam_torch as bct  # noqa: E402

torch.Tensor.cuda = lambda self, *a, **k: self  # the reference codes call .cuda(); this machine has no GPU


class HeadFrom(nn.Module):
    """The part of an OnnxTorch graph after a tensor (the LIFT-CAM 'F' of the paper), as a module."""

    def __init__(self, model, tensor):
        super().__init__()
        keys = [p[3] for p in model.plan]
        self.plan = model.plan[keys.index(tensor) + 1:]
        self.nodes = model.nodes
        self.tensor, self.output_name = tensor, model.output_name

    def forward(self, a):
        env = {self.tensor: a}
        for key, _, ins, out, prepad, padval in self.plan:
            xs = [env[i] for i in ins]
            if prepad is not None:
                xs[0] = F.pad(xs[0], prepad, value=padval)
            env[out] = self.nodes[key](*xs)
        return env[self.output_name]


def lift_cam_onnx(model, layer_module, tensor, x, cls):
    """Official LIFT-CAM wiring on an OnnxTorch graph (same steps as Explanation.lift_cam + CAM_Explanation)."""
    from captum.attr import DeepLift
    acts = []
    h = layer_module.register_forward_hook(lambda m, i, o: acts.append(o))
    model(x)
    h.remove()
    a = acts[0]
    contrib = DeepLift(HeadFrom(model, tensor).eval()).attribute(a, torch.zeros_like(a), target=cls)
    scores = contrib.sum((2, 3))[0]
    m = F.relu((scores[None, :, None, None] * a).sum(1, keepdim=True)).float()
    with torch.no_grad():
        m = F.interpolate(m, size=x.shape[2:], mode="bilinear").detach()
    return (m - m.min()) / (m.max() - m.min())


def official_fgcam_vgg16(tv_model):
    sys.path.insert(0, "/work/refs/FG-CAM")
    import FG_CAM as fg
    from models import vgg as fgvgg
    m = fgvgg.vgg16()
    m.load_state_dict(tv_model.state_dict())
    return fg.FG_CAM(m.eval(), "grad_cam")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=["mobilenet", "resnet50", "vgg16"])
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--methods", default="grad-cam,lift-cam,fg-cam,deeplift")
    ap.add_argument("--warm", type=int, default=-1)
    ap.add_argument("--runs", type=int, default=-1)
    args = ap.parse_args()
    bct.check_env(args.threads)
    bct.mcg.install_stubs("/work/refs/pytorch-grad-cam", "/work/refs/torch-cam")
    model, layer, x, lname = bct.load(args.model)
    for mod in model.modules():
        if isinstance(mod, nn.ReLU):
            mod.inplace = False  # Captum's DeepLift needs distinct ReLU outputs
    print(json.dumps({"model": args.model, "layer": lname, "threads": args.threads, "torch": torch.__version__,
                      "env": {v: os.environ[v] for v in bct.ENV}, "load": os.getloadavg()[0]}), flush=True)
    cls = 281
    for method in args.methods.split(","):
        if method == "grad-cam":
            import pytorch_grad_cam as pgc
            from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
            cam = pgc.GradCAM(model=model, target_layers=[layer])

            def fn():
                cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(cls)])
        elif method == "lift-cam":
            if args.model == "mobilenet":
                def fn():
                    lift_cam_onnx(model, layer, "conv_pw_13_relu", x, cls)
            else:
                import Explanation as official
                cam = official.CAM_Explanation(model, "LIFT-CAM")

                def fn():
                    cam(x, cls, (224, 224))
        elif method == "fg-cam":
            if args.model != "vgg16":
                continue
            fgc = official_fgcam_vgg16(model)

            def fn():
                fgc(x.clone(), False, -1, cls)
        elif method == "deeplift":
            from captum.attr import DeepLift
            dl = DeepLift(model)

            def fn():
                dl.attribute(x.clone(), torch.zeros_like(x), target=cls)
        else:
            raise SystemExit("unknown method " + method)
        ms, cpu, runs = bct.timed(fn, args.warm, args.runs)
        if method == "fg-cam":
            method = "fg-cam@features.30"  # the official code's layer (pool5); Candela's row of the same name
        print(json.dumps({"work": f"{args.model} {method}", "threads": args.threads, "median_ms": ms, "cpu_ms": cpu,
                          "runs": runs, "load": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
