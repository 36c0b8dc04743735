#!/usr/bin/python3
"""Per-layer comparison of a forward pass: ONNX Runtime's node profile beside Candela's `bench` table.

    ORT_JAVA_OPTS=-Dort.profile=/tmp/ort tools/bench_ort.sh 1 resnet50 3 6
    ./candela bench tools/build/resnet50_224.onnx --threads=1 --runs=30 --warmup=10 --top=1000 > candela.txt
    /usr/bin/python3 tools/ort_profile_table.py /tmp/ort-resnet50-t1_*.json candela.txt

Convolutions are grouped by (kernel, stride, input channels, output shape; MMAC is one layer's, the times the
group's sums): ORT fuses a convolution with its
activation and residual add into one node (named after the fused output) and Candela's table times the fused
pass under the convolution's name, so the groups compare like with like. Median microseconds per node per run.
"""
import collections
import json
import re
import statistics
import sys


def ort_groups(path):
    events = json.load(open(path))
    durs = collections.defaultdict(list)
    meta = {}
    for e in events:
        if e.get("cat") != "Node" or not e["name"].endswith("_kernel_time"):
            continue
        args = e["args"]
        durs[e["name"]].append(e["dur"])
        meta[e["name"]] = args
    groups = collections.defaultdict(float)
    counts = collections.Counter()
    other = collections.defaultdict(float)
    for name, d in durs.items():
        a = meta[name]
        us = statistics.median(d)
        if a["op_name"] in ("Conv", "FusedConv"):
            x = a["input_type_shape"][0]["float"]
            w = a["input_type_shape"][1]["float"]
            y = a["output_type_shape"][0]["float"]
            stride = x[2] // y[2] if y[2] else 0
            key = (w[2], stride, w[1], y[1], y[2], y[3])
            groups[key] += us
            counts[key] += 1
        else:
            other[a["op_name"]] += us
    return groups, counts, other


def candela_groups(path):
    groups = collections.defaultdict(float)
    other = collections.defaultdict(float)
    for line in open(path):
        m = re.match(r"(\S+)\s+(\w+)\s+(\d+)x(\d+)x(\d+)\s+([\d.]+)\s+([\d.]+)\s", line)
        if not m:
            continue
        op, c, h, w, mmac, ms = m.group(2), int(m.group(3)), int(m.group(4)), int(m.group(5)), float(m.group(6)), float(m.group(7))
        if op == "Conv2d":
            groups[(c, h, w, round(mmac, 1))] += ms * 1000
        else:
            other[op] += ms * 1000
    return groups, other


def main():
    og, counts, oo = ort_groups(sys.argv[1])
    cg, co = candela_groups(sys.argv[2])
    by_out = {}
    for (k, s, cin, c, h, w), us in og.items():
        # Candela's table names no kernel or stride: group both sides by output shape and work per layer
        mmac = round(c * cin * k * k * h * w / 1e6, 1)
        kinds, total, n = by_out.get((c, h, w, mmac), (set(), 0.0, 0))
        by_out[(c, h, w, mmac)] = (kinds | {f"{k}x{k}/{s} {cin}->{c}"}, total + us, n + counts[(k, s, cin, c, h, w)])
    print(f"{'layers x conv':44} {'MMAC':>8} {'Candela us':>11} {'ORT us':>9} {'ratio':>6} {'C GF/s':>7} {'O GF/s':>7}")
    tc = to = 0
    for key in sorted(cg, key=lambda k: -cg[k]):
        c, h, w, mmac = key
        if key not in by_out:
            print(f"{c}x{h}x{w} (no ORT node)", cg[key]); continue
        kinds, us, n = by_out[key]
        tc += cg[key]; to += us
        label = f"{n} x {'+'.join(sorted(kinds))} @{h}x{w}"
        print(f"{label:44} {mmac:8.1f} {cg[key]:11.0f} {us:9.0f} {cg[key] / us:6.2f} {2 * n * mmac * 1e3 / cg[key]:7.0f} {2 * n * mmac * 1e3 / us:7.0f}")
    print(f"{'convolutions':44} {'':8} {tc:11.0f} {to:9.0f} {tc / to:6.2f}")
    print("other Candela:", {k: round(v) for k, v in co.items()})
    print("other ORT:", {k: round(v) for k, v in oo.items()})


if __name__ == "__main__":
    main()
