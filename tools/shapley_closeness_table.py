#!/usr/bin/python3
"""Writes results/shapley-closeness.md (kept in RESULTS.md by tools/results_table.py) and
results/shapley-closeness-per-image.csv from the runs of tools/make_shapley_closeness.sh: per model, how close
each method's channel coefficients come to the layer's Shapley values (means over images with 95% Student-t
half-widths; the per-image values in the CSV).

  /usr/bin/python3 tools/shapley_closeness_table.py build/shapley-closeness
"""
import csv, json, os, sys

from scipy.stats import t as student_t

out_dir = sys.argv[1]
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


lines = ["## Shapley closeness of channel coefficients (subset)", "",
         "How close each method's per-channel coefficients come to the Shapley values of the CAM layer's maps for "
         "the head after it (a removed map set to zero, the class logit as the value; `shapley-*` metrics of "
         "`candela evaluate`). **Subset, not the full runs above:** made by `tools/make_shapley_closeness.sh` "
         "(`candela evaluate --metric shapley-rel-error,shapley-spearman,shapley-cosine,shapley-ref-se "
         "--shapley-pairs 32 --seed 0 --threads 1`, at `nice -n 19`) on the first 50 Fashion-MNIST test images "
         "(`tools/export_fashion_eval_set.py --n 50`) for each shipped model and on the three shared photos "
         "(`../shared/images`) for the MobileNet. The reference is exact up to 12 maps and otherwise 32 antithetic "
         "permutation pairs (every layer here has 64 or 256 maps, so it is sampled); *reference SE* is its own "
         "relative standard error ||se|| / ||phi|| (mean and largest over the images): a relative error below it "
         "is within the reference's noise. Target = the labelled class. Per-image values: "
         "`results/shapley-closeness-per-image.csv`.", ""]
per_image = [["model", "image", "method", "metric", "value"]]
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
            per_image.append([model, r["image"], r["method"], r["metric"], r["value"]])
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
with open(os.path.join(here, "shapley-closeness-per-image.csv"), "w", newline="") as f:
    csv.writer(f).writerows(per_image)
print("\n".join(lines))
