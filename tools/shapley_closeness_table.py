#!/usr/bin/python3
"""Writes results/shapley-closeness.md (kept in RESULTS.md by tools/results_table.py) and
results/shapley-closeness-per-image.csv.gz from the runs of tools/make_shapley_closeness.sh: per model, how close
each method's channel coefficients come to the layer's Shapley values (means over images with 95% Student-t
half-widths; the per-image values in the CSV).

  N=1000 /usr/bin/python3 tools/shapley_closeness_table.py build/shapley-closeness   (N: the Fashion images per model)
"""
import csv, gzip, io, json, os, sys

from scipy.stats import t as student_t

out_dir = sys.argv[1]
N = int(os.environ.get("N", "1000"))
wall, unrecorded = 0, []
for name in sorted(os.listdir(out_dir)):
    d = os.path.join(out_dir, name)
    if not os.path.exists(os.path.join(d, "summary.json")) or name.endswith(".tmp"):
        continue
    w = os.path.join(d, "wall-seconds.txt")
    if os.path.exists(w):
        wall += int(open(w).read().strip())
    else:
        unrecorded.append(name)  # a part kept from a run before wall times were recorded
    # make_shapley_closeness.sh keeps finished parts whatever N was: a part of another N would be described as N images
    inp = json.load(open(os.path.join(d, "summary.json")))["settings"]["input"]
    if "fashion-test-" in inp and f"fashion-test-{N}/" not in inp + "/":
        sys.exit(f"{d} was made from {inp}, not the first {N} Fashion images: remove it (make_shapley_closeness.sh reruns it) or set N")
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results")
COLUMNS = [("shapley-rel-error", "relative L2 error ↓"), ("shapley-spearman", "Spearman ↑"), ("shapley-cosine", "cosine ↑")]


def mean_ci(values):
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return f"{mean:.3g}"
    sd = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5
    half = student_t.ppf(0.975, n - 1) * sd / n ** 0.5
    return f"{mean:.3g} ± {half:.2g}"


lines = ["## Shapley closeness of channel coefficients", "",
         "How close each method's per-channel coefficients come to the Shapley values of the CAM layer's maps for "
         "the head after it (a removed map set to zero, the class logit as the value; `shapley-*` metrics of "
         "`candela evaluate`), as a run of its own beside the main tables (their full rerun takes hours): made by "
         "`tools/make_shapley_closeness.sh` "
         "(`candela evaluate --metric shapley-rel-error,shapley-spearman,shapley-cosine,shapley-ref-se "
         f"--shapley-pairs 32 --seed 0 --threads 1`, at `nice -n 19`) on the first {N} Fashion-MNIST test images "
         f"(`tools/export_fashion_eval_set.py --n {N}`{': the images of the tables above' if N == 1000 else ''}) for each shipped model, at its CAM layer and at "
         "`/stage2/relu2/Relu`, and for the MobileNet on the three shared photos (`../shared/images`) and on the "
         "first 20 photos of `../shared/imagenet-sample/labels.csv`, at `conv_pw_13_relu` and `conv_pw_11_relu` "
         f"({wall} s of `candela evaluate` wall time summed over the parts"
         + (f" other than {', '.join(unrecorded)}, whose time was not recorded" if unrecorded else "")
         + ", one thread each, on the shared 2-vCPU machine). The reference is exact up to 12 maps and otherwise "
         "32 antithetic permutation pairs (every layer here has 32 to 256 maps, so it is sampled; on an affine head "
         "every permutation gives the same marginals, so it is exact up to rounding there); *reference SE* is its own "
         "relative standard error ||se|| / ||phi|| (mean and largest over the images): a relative error below it "
         "is within the reference's noise. Target = the labelled class. Per-image values (relative error, "
         "Spearman, reference SE; 4 significant digits): `results/shapley-closeness-per-image.csv.gz`.", "",
         "Reading: where the head after the layer is affine (global average pool + linear: the CAM layers of all three "
         "models), a map's Shapley value is w_k mean(A_k), which is LIFT-CAM's coefficient and LRP-CAM's "
         "(the relevance each map receives): their errors are float rounding. ShapleyCAM with a logit target has Grad-CAM's coefficients on "
         "these piecewise-linear heads (its second-order term vanishes), so the two rows agree; it estimates Shapley "
         "values of the pixels of the map, not of the channels, and its channel coefficients are mean gradients. "
         "Ablation-CAM's coefficient is the full-coalition marginal divided by the score: proportional to the Shapley "
         "value on an affine head (Spearman 1), off by that scale in the error. On the nonlinear heads (one stage or "
         "two blocks deeper in) no method is exact; compare its error with the reference's standard error, which with "
         "32 pairs is 3 to 23 % of ||phi|| there.", ""]
WIDE = ["shapley-rel-error", "shapley-spearman", "shapley-ref-se"]
per_image = {}
for model in sorted(os.listdir(out_dir)):
    d = os.path.join(out_dir, model)
    if not (os.path.isdir(d) and os.path.exists(os.path.join(d, "summary.json")) and not d.endswith(".tmp")):
        continue
    st = json.load(open(os.path.join(d, "summary.json")))
    rows, order, images = {}, [], set()
    with open(os.path.join(d, "per-image.csv")) as f:
        for r in csv.DictReader(f):
            rows.setdefault((r["method"], r["metric"]), []).append(float(r["value"]))
            images.add(r["image"])
            if r["method"] not in order:
                order.append(r["method"])
            if r["metric"] in WIDE:  # one row per image and method (cosine only in the table)
                per_image.setdefault((model, r["image"], r["method"]), {})[r["metric"]] = f"{float(r['value']):.4g}"
    settings = st["settings"]
    inp = settings["input"]
    inp = os.path.relpath(inp) if os.path.isabs(inp) else inp
    part = os.path.join(d, "part.txt")
    what = open(part).read().strip() if os.path.exists(part) else ""
    lines += [f"### {model}", "", f"- {what}" if what else "", f"- inputs: {inp} ({len(images)} images), Shapley reference: {settings.get('shapley_reference')}", ""]
    lines.append("| method | " + " | ".join(c[1] for c in COLUMNS) + " | reference SE (mean, max) |")
    lines.append("|---|" + "---|" * (len(COLUMNS) + 1))
    for m in order:
        se = rows.get((m, "shapley-ref-se"), [])
        cells = [mean_ci(rows[(m, c)]) if (m, c) in rows else "–" for c, _ in COLUMNS]
        cells.append(f"{sum(se) / len(se):.2g}, {max(se):.2g}" if se else "–")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    for n in st.get("notes", []):
        lines += ["", f"_Note: {n}_"]
    lines.append("")
os.makedirs(here, exist_ok=True)
with open(os.path.join(here, "shapley-closeness.md"), "w") as f:
    f.write("\n".join(lines).rstrip() + "\n")
# gzip without a time stamp in its header: the same runs give the same bytes
with gzip.GzipFile(os.path.join(here, "shapley-closeness-per-image.csv.gz"), "wb", mtime=0) as gz, \
        io.TextIOWrapper(gz, encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["model", "image", "method"] + WIDE)
    for k, v in per_image.items():
        w.writerow(list(k) + [v.get(m, "") for m in WIDE])
print("\n".join(lines))
