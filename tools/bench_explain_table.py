#!/usr/bin/python3
"""Markdown tables for BENCHMARKS.md from the JSON lines of tools/bench_explain.sh.

  /usr/bin/python3 tools/bench_explain_table.py benchmarks/explain-GROUP-t1-java.jsonl benchmarks/explain-GROUP-t1-torch.jsonl [CHANNELS]

Rows: per work, Candela and peer median wall ms and mean process CPU ms per run, and the ratios
Candela / peer (below 1 = Candela faster). On this shared machine the CPU ratio is the one to trust:
wall time grows with the load of other jobs, CPU time much less. METHOD:N rows (a perturbation method
stopped after N channels) are also extrapolated to CHANNELS (default 2048): t(all) = t(N1) +
(t(N2) - t(N1)) * (CHANNELS - N1) / (N2 - N1), the forward pass and set-up counted once.
"""
import json
import sys


def load(path):
    rows, loads = {}, []
    for line in open(path):
        line = line.strip()
        if "load average" in line:
            loads.append(line.split("load average:")[1].strip())
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "work" in r:
            rows[r["work"]] = r
    return rows, loads


def fmt(v):
    return "-" if v is None else ("%.0f" % v if v >= 100 else "%.1f" % v)


def ratio(a, b):
    return "-" if a is None or b is None else "%.2f" % (a / b)


def extrapolate(rows, channels):
    out = {}
    parts = {}
    for w, r in rows.items():
        if ":" in w:
            base, n = w.rsplit(":", 1)
            parts.setdefault(base, {})[int(n)] = r
    for base, by_n in parts.items():
        if len(by_n) < 2:
            continue
        n1, n2 = sorted(by_n)[:2]
        r = {}
        for k in ("median_ms", "cpu_ms"):
            a, b = by_n[n1][k], by_n[n2][k]
            r[k] = a + (b - a) * (channels - n1) / (n2 - n1)
        out["%s (all %d channels, extrapolated)" % (base, channels)] = r
    return out


def main():
    java, jl = load(sys.argv[1])
    torch, tl = load(sys.argv[2])
    channels = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    java.update(extrapolate(java, channels))
    torch.update(extrapolate(torch, channels))
    print("| work | Candela wall ms | peer wall ms | wall ratio | Candela CPU ms | peer CPU ms | CPU ratio | runs (C / peer) |")
    print("|---|---|---|---|---|---|---|---|")
    for w in dict.fromkeys(list(java) + list(torch)):
        j, p = java.get(w, {}), torch.get(w, {})
        print("| %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
            w, fmt(j.get("median_ms")), fmt(p.get("median_ms")), ratio(j.get("median_ms"), p.get("median_ms")),
            fmt(j.get("cpu_ms")), fmt(p.get("cpu_ms")), ratio(j.get("cpu_ms"), p.get("cpu_ms")),
            j.get("runs", "-"), p.get("runs", "-")))
    print()
    print("Load average (1, 5, 15 min) at start / end: Candela %s; peer %s" % (" / ".join(jl), " / ".join(tl)))


if __name__ == "__main__":
    main()
