#!/usr/bin/python3
"""Times the official FG-CAM code (dongmo-qcq/FG-CAM, run by path from /work/refs/FG-CAM, never copied) per
image on the CPU: vgg16 (random weights, 224x224), Grad-CAM base, raised to the input (target_layer -1),
the work Candela's FgCamBench does. Usage: /usr/bin/python3 tools/bench_fgcam_official.py [threads]"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.environ.get("CANDELA_REFS", "/work/refs"), "FG-CAM"))
import FG_CAM as fg  # noqa: E402
from models import vgg as fgvgg  # noqa: E402

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
torch.manual_seed(0)
model = fgvgg.vgg16(pretrained=False).eval()
cam = fg.FG_CAM(model, "grad_cam")
x = torch.randn(1, 3, 224, 224)
times = []
for i in range(8):
    t0 = time.perf_counter()
    cam(x, False, -1, None)
    times.append((time.perf_counter() - t0) * 1000)
    # the official code registers forward hooks on every call and never removes them; clear them so
    # later iterations are not slowed by piled-up hooks
    for m in model.features:
        m._forward_hooks.clear()
times = sorted(times[2:])
print("official FG-CAM vgg16 224 grad_cam -> input, threads %d: median %.1f ms (min %.1f, max %.1f, n=%d)"
      % (torch.get_num_threads(), times[len(times) // 2], times[0], times[-1], len(times)))
