#!/usr/bin/python3
"""The peer of Candela's CAM benchmark (dev.candela.bench.ExplainBench): pytorch-grad-cam (PGC), run
from its checkout by path, on the same models, layer, input and target (class 281), one whole
explanation per timed call (forward, backward or masked forwards, PGC's map pipeline), with the
library's defaults (ScoreCAM batch 16, AblationCAM batch 32; the model's parameters keep
requires_grad=True, as a PGC user's model does).

    OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 tools/bench_cam_torch.py --model resnet50 --threads 1 [--methods a,b] [--warm 1 --runs 3]

Models: mobilenet = the shared ONNX MobileNet evaluated by golden_common.OnnxTorch (one torch module
per ONNX node; layer conv_pw_13_relu; the chelsea input of the runtime goldens); resnet50 (layer4)
and vgg16 (features.29) = the torchvision modules of tools/export_bench_models.py (same seeded
weights as the ONNX files Candela imports) on tools/build/input_224.npy.
Prints JSON lines like tools/bench_torch.py: median wall ms and mean process CPU ms per run.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import golden_common as gc  # noqa: E402
import make_cam_goldens as mcg  # noqa: E402
from bench_torch import median_ms  # noqa: E402

ENV = ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def check_env(threads):
    for var in ENV:
        if var not in os.environ:
            raise SystemExit(f"set {var} (see java-performance.md): without it the timing is not fair")
    torch.set_num_threads(threads)


def load(name):
    """(module, target layer module, input tensor, layer name) for a benchmark model."""
    if name == "mobilenet":
        model = gc.OnnxTorch(gc.MOBILENET)
        x = np.load(os.path.join(gc.GOLDEN, "runtime", "mobilenet_v1_chelsea", "input.npy"))
        return model, model.module("conv_pw_13_relu"), torch.from_numpy(x), "conv_pw_13_relu"
    import export_bench_models as ebm
    model = ebm.bench_model(name)
    x = torch.from_numpy(np.load(os.path.join(gc.BUILD, "input_224.npy")))
    if name == "resnet50":
        return model, model.layer4, x, "layer4"
    return model, model.features[29], x, "features.29"


class Stop(Exception):
    """Ends a PGC ScoreCAM run after its first N channels (see partial_score_cam)."""


def partial(method, channels):
    """PGC's ScoreCAM and AblationCAM loop `for i in tqdm.tqdm(range(0, n, BATCH_SIZE))` over the
    channels: a stand-in tqdm that stops after `channels` of them, so the run times the library's own
    code for the forward pass, the masks and the first `channels` perturbed forwards (the Java side
    stops likewise)."""
    import importlib
    import types
    sc = importlib.import_module("pytorch_grad_cam." + method.replace("-", "_"))

    def tq(it, *a, **k):
        for i in it:
            if i >= channels:
                raise Stop()
            yield i
    sc.tqdm = types.SimpleNamespace(tqdm=tq)


def timed(fn, warm, runs):
    """Fixed counts (for minutes-long methods) or bench_torch's time-based median."""
    if warm < 0:
        return median_ms(fn, 2.0, 4.0, 5)
    for _ in range(warm):
        fn()
    times = []
    c0 = time.process_time()
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), (time.process_time() - c0) * 1e3 / runs, runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=["mobilenet", "resnet50", "vgg16"])
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--methods", default=",".join(m for m, _, _ in mcg.PGC_METHODS))
    ap.add_argument("--warm", type=int, default=-1)
    ap.add_argument("--runs", type=int, default=-1)
    ap.add_argument("--score-batch", type=int, default=0, help="ScoreCAM's batch_size attribute (library default 16)")
    args = ap.parse_args()
    check_env(args.threads)
    mcg.install_stubs("/work/refs/pytorch-grad-cam", "/work/refs/torch-cam")
    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    model, layer, x, lname = load(args.model)
    print(json.dumps({"model": args.model, "layer": lname, "threads": args.threads, "torch": torch.__version__,
                      "env": {v: os.environ[v] for v in ENV}, "load": os.getloadavg()[0]}), flush=True)
    targets = [ClassifierOutputTarget(281)]
    for method in args.methods.split(","):
        if method == "forward":
            def fn():
                with torch.no_grad():
                    model(x)
        elif ":" in method:  # score-cam:N or ablation-cam:N, stopped after N channels
            name, n = method.split(":")[0], int(method.split(":")[1])
            partial(name, n)
            cam = getattr(pgc, mcg.PGC_CLASS[name])(model=model, target_layers=[layer])

            def fn(cam=cam):
                try:
                    cam(input_tensor=x.clone(), targets=targets)
                    raise SystemExit("%s finished before %d channels" % (name, n))
                except Stop:
                    pass
        else:
            cam = getattr(pgc, mcg.PGC_CLASS[method])(model=model, target_layers=[layer])
            if method == "score-cam" and args.score_batch:
                cam.batch_size = args.score_batch  # score_cam.py reads it when set

            def fn(cam=cam):
                cam(input_tensor=x.clone(), targets=targets)
        ms, cpu, runs = timed(fn, args.warm, args.runs)
        print(json.dumps({"work": f"{args.model} {method}", "threads": args.threads, "median_ms": ms, "cpu_ms": cpu,
                          "runs": runs, "load": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
