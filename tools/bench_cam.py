#!/usr/bin/python3
"""Times pytorch-grad-cam (and TorchCAM for SS-CAM / IS-CAM / Smooth Grad-CAM++) per image, the peer of
src/test/java/dev/candela/bench/CamTiming.java (issue 3, item 7).

    OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
      /usr/bin/python3 tools/bench_cam.py --threads 2 --model mobilenet --methods grad-cam,score-cam

mobilenet = the shared MobileNet v1 0.25 evaluated from its ONNX file by golden_common.OnnxTorch
(one torch module per ONNX node), target layer conv_pw_13_relu, class 281, the runtime golden input;
resnet50 = torchvision resnet50 with random weights (eval), target layer4[-1], class 1, a seeded
normal input. One Grad-CAM warm-up call, then one timed call per method (forward pass included).
PGC's Score-CAM batch size is set to 32 (Candela's default; PGC's own default is 16).
The reference libraries are run from their checkouts by path; stand-ins for ttach / the torchcam
package shell are written to /tmp as in make_cam_goldens.py. Prints JSON lines: wall and CPU ms.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import golden_common as gc  # noqa: E402
import make_cam_goldens as mcg  # noqa: E402

PGC = {"grad-cam": "GradCAM", "hires-cam": "HiResCAM", "grad-cam-elementwise": "GradCAMElementWise",
       "grad-cam++": "GradCAMPlusPlus", "xgrad-cam": "XGradCAM", "layer-cam": "LayerCAM", "score-cam": "ScoreCAM",
       "ablation-cam": "AblationCAM", "eigen-cam": "EigenCAM", "eigen-grad-cam": "EigenGradCAM",
       "full-grad": "FullGrad", "random-cam": "RandomCAM"}
TC = {"ss-cam": "SSCAM", "is-cam": "ISCAM", "smooth-grad-cam++": "SmoothGradCAMpp"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--model", choices=["mobilenet", "resnet50"], required=True)
    ap.add_argument("--methods", required=True)
    ap.add_argument("--pgc", default="/work/refs/pytorch-grad-cam")
    ap.add_argument("--torchcam", default="/work/refs/torch-cam")
    args = ap.parse_args()
    mcg.install_stubs(args.pgc, args.torchcam)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.model == "mobilenet":
        model = gc.OnnxTorch(gc.MOBILENET)
        layer = model.module("conv_pw_13_relu")
        x = torch.from_numpy(np.load(os.path.join(gc.GOLDEN, "runtime", "mobilenet_v1_chelsea", "input.npy")))
        target = 281
    else:
        import torchvision
        model = torchvision.models.resnet50().eval()
        layer = model.layer4[-1]
        x = torch.randn(1, 3, 224, 224)
        target = 1
    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    import torchcam.methods as tcm

    def run(name):
        if name in PGC:
            cls = getattr(pgc, PGC[name])
            cam = cls(model=model, target_layers=[layer])
            cam.batch_size = 32
            out = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(target)])
            cam.activations_and_grads.release()
            return out
        cls = getattr(tcm, TC[name])
        ext = cls(model, target_layer=layer, input_shape=tuple(x.shape[1:]))
        if name == "smooth-grad-cam++":
            out = model(x.clone())
        else:
            with torch.no_grad():
                out = model(x.clone())
        cams = ext(class_idx=[target], scores=out)
        ext.remove_hooks()
        return cams

    run("grad-cam")
    for name in args.methods.split(","):
        t0, c0 = time.perf_counter(), time.process_time()
        run(name)
        wall, cpu = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
        lib = "pytorch-grad-cam" if name in PGC else "torchcam"
        print(json.dumps({"impl": lib, "model": args.model, "method": name, "threads": args.threads,
                          "wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1), "load": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
