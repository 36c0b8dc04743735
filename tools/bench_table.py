#!/usr/bin/python3
"""Merges the JSON lines of dev.candela.bench.Timing and tools/bench_torch.py into the Markdown
tables of BENCHMARKS.md (median wall ms, median process CPU ms, and Candela / PyTorch ratios).

  /usr/bin/python3 tools/bench_table.py JAVA.jsonl TORCH.jsonl
  /usr/bin/python3 tools/bench_table.py --ort ORT.jsonl   (tools/bench_ort.sh output: Candela / ONNX Runtime)
"""
import json
import sys


def load(path):
    rows = {}
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "work" in r:
            rows[(r["work"], r["threads"])] = r
    return rows


def ort_table(path):
    rows, oracle, loads = {}, {}, []
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "load" in r:
            loads.append(r["load"])
        w = r.get("work", "")
        if w.endswith(" oracle"):
            oracle[(w[:-7], r["threads"])] = r
        elif w.endswith(" ort") or w.endswith(" candela"):
            base, engine = w.rsplit(" ", 1)
            rows.setdefault((base, r["threads"]), {})[engine] = r
    print("| work | threads | Candela wall ms | ORT wall ms | wall ratio | Candela CPU ms | ORT CPU ms | CPU ratio | max abs logit diff (max abs logit) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (w, t), e in rows.items():
        c, o = e.get("candela"), e.get("ort")
        def f(r, k):
            return f"{r[k]:.0f}" if r else "-"
        wr = f"{c['median_ms'] / o['median_ms']:.2f}" if c and o else "-"
        cr = f"{c['cpu_ms'] / o['cpu_ms']:.2f}" if c and o else "-"
        q = oracle.get((w.replace(" forward", ""), t))
        d = f"{q['max_abs_diff']:.1e} ({q['max_abs_logit']:.3g})" if q else "-"
        print(f"| {w} | {t} | {f(c, 'median_ms')} | {f(o, 'median_ms')} | {wr} | {f(c, 'cpu_ms')} | {f(o, 'cpu_ms')} | {cr} | {d} |")
    if loads:
        print(f"\nload average {min(loads):.1f}-{max(loads):.1f}")


def main():
    if sys.argv[1] == "--ort":
        ort_table(sys.argv[2])
        return
    java, torch = load(sys.argv[1]), load(sys.argv[2])
    works = [w for w in dict.fromkeys(k[0] for k in list(java) + list(torch))]
    print("| work | threads | Candela wall ms | PyTorch wall ms | wall ratio | Candela CPU ms | PyTorch CPU ms | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for w in works:
        if w.startswith("mm "):
            continue
        for t in (1, 2):
            j, p = java.get((w, t)), torch.get((w, t))
            if not j and not p:
                continue
            def f(r, k):
                return f"{r[k]:.0f}" if r and k in r else "-"
            wr = f"{j['median_ms'] / p['median_ms']:.2f}" if j and p else "-"
            cr = f"{j['cpu_ms'] / p['cpu_ms']:.2f}" if j and p and "cpu_ms" in p else "-"
            print(f"| {w} | {t} | {f(j, 'median_ms')} | {f(p, 'median_ms')} | {wr} | {f(j, 'cpu_ms')} | {f(p, 'cpu_ms')} | {cr} |")
    print()
    print("| SGEMM M x K x N | threads | Candela GFLOP/s (wall) | Candela GFLOP/s (CPU) | torch.mm GFLOP/s (wall) | torch.mm GFLOP/s (CPU) |")
    print("|---|---|---|---|---|---|")
    for w in works:
        if not w.startswith("mm "):
            continue
        for t in (1, 2):
            j, p = java.get((w, t)), torch.get((w, t))
            def g(r, k):
                return f"{r[k]:.1f}" if r and k in r else "-"
            print(f"| {w[3:]} | {t} | {g(j, 'gflops')} | {g(j, 'gflops_cpu')} | {g(p, 'gflops')} | {g(p, 'gflops_cpu')} |")


if __name__ == "__main__":
    main()
