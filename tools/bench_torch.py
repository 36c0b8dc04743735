#!/usr/bin/python3
"""Times the peer for Candela's runtime benchmarks: Debian's PyTorch (1.13, oneDNN + OpenBLAS).

Same work as src/test/java/dev/candela/bench: torch.mm at the SGEMM sizes, ResNet-50 and VGG-16
(torchvision, random weights, eval mode) at 1x3x224x224, forward and forward + gradient of one
logit with respect to the input (parameters do not require grad, so no weight gradients are
computed, as in Candela). Prints the median wall ms of warm runs and the mean process CPU ms per
run (and GFLOP/s for mm) as JSON lines.

Run with the environment a fair timing needs (see ../shared/reference/java-performance.md):
  for T in 1 2; do OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$T \
    OPENBLAS_NUM_THREADS=$T /usr/bin/python3 tools/bench_torch.py --threads $T; done
"""
import argparse
import json
import os
import statistics
import time

import torch
import torchvision


def median_ms(fn, warm_s=2.0, run_s=8.0, min_runs=5):
    """Median wall-clock ms of warm runs, the mean process CPU ms per run (all threads), and the run count.

    On a shared machine the CPU time shows what the work costs when other jobs steal the cores."""
    end = time.perf_counter() + warm_s
    while time.perf_counter() < end:
        fn()
    times, cpu = [], []
    end = time.perf_counter() + run_s
    while time.perf_counter() < end or len(times) < min_runs:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(times), statistics.fmean(cpu), len(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--only", default="mm,resnet50,vgg16")
    args = ap.parse_args()
    for var in ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        if var not in os.environ:
            raise SystemExit(f"set {var} (see the docstring): without it the timing is not fair")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    only = args.only.split(",")
    env = {v: os.environ[v] for v in ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "env": env}), flush=True)

    if "mm" in only:
        for m, k, n in [(512, 512, 512), (1024, 1024, 1024), (64, 576, 3136), (512, 4608, 49)]:
            a, b = torch.randn(m, k), torch.randn(k, n)
            ms, cpu, runs = median_ms(lambda: torch.mm(a, b), 1.0, 4.0)
            print(json.dumps({"work": f"mm {m}x{k}x{n}", "threads": args.threads, "median_ms": ms, "cpu_ms": cpu,
                              "gflops": 2 * m * n * k / ms / 1e6, "gflops_cpu": 2 * m * n * k / cpu / 1e6, "runs": runs}), flush=True)

    for name in ("resnet50", "vgg16"):
        if name not in only:
            continue
        model = getattr(torchvision.models, name)().eval()
        for p in model.parameters():
            p.requires_grad_(False)
        x = torch.randn(1, 3, 224, 224)

        def forward():
            with torch.no_grad():
                model(x)

        def forward_backward():
            xi = x.clone().requires_grad_(True)
            y = model(xi)
            y[0, 281].backward()
            return xi.grad

        for work, fn in (("forward", forward), ("forward+backward", forward_backward)):
            ms, cpu, runs = median_ms(fn)
            print(json.dumps({"work": f"{name} {work}", "threads": args.threads, "median_ms": ms, "cpu_ms": cpu,
                              "runs": runs, "load": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
