#!/usr/bin/python3
"""Issue 16 items 2 and 3: tables and the seeds' claims, from what tools/make_photo_claims.sh ran.

Reads OUT/<stream>/shard-*/per-image.csv (and the rows an interrupted shard, shard-*.tmp, already wrote: a
photo counts only when every (method, metric) row of its stream is there), writes

  results/photo-claims.md              the "Real photos" section (also spliced into RESULTS.md between the
                                       markers <!-- photo-claims:start --> and <!-- photo-claims:end -->)
  results/photo-claims-summary.json    every number of that section (means, intervals, paired differences)

Statistics: means with 95% Student-t half-widths over photos; each claim as paired differences per photo
(A minus B on the same photo) with a 95% percentile-bootstrap interval (10,000 resamples, numpy seed 0) and
the Student-t interval beside it. A difference "holds" when the bootstrap interval excludes 0.
No correction for multiple comparisons (there are about 100 intervals; at 95% a few can exclude 0 by chance).

  /usr/bin/python3 tools/photo_claims.py build/photo-claims --top1 testdata/imagenet-top1.csv \
      --summary results/photo-claims-summary.json --results RESULTS.md
"""
import argparse, csv, glob, json, os, re, sys

import numpy as np
from scipy.stats import t as student_t

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--top1", required=True, help="testdata/imagenet-top1.csv (PIL + the ONNX model in PyTorch)")
ap.add_argument("--variant", default="center-square/bilinear-antialias")
ap.add_argument("--summary", required=True)
ap.add_argument("--section", default="results/photo-claims.md")
ap.add_argument("--results", help="RESULTS.md to splice the section into")
ap.add_argument("--labels", default=None, help="labels.csv (default: OUT/annotations.csv)")
args = ap.parse_args()

STREAMS = ["lift", "fg", "score"]
METRICS = ["average-drop", "increase-in-confidence", "average-drop-in-deletion", "deletion", "insertion"]
SHORT = {"average-drop": "AD", "increase-in-confidence": "IC", "average-drop-in-deletion": "ADD",
         "deletion": "deletion", "insertion": "insertion"}
LOWER = {"average-drop", "deletion"}
CLAIM_METRICS = ["average-drop", "increase-in-confidence", "deletion", "insertion"]
LEVELS = [("grad-cam", "conv_pw_13_relu", "7x7 (Grad-CAM, FG-CAM's starting point)"),
          ("fg-cam(level=conv_pw_11_relu)", "conv_pw_11_relu", "14x14"),
          ("fg-cam(level=conv_pw_5_relu)", "conv_pw_5_relu", "28x28"),
          ("fg-cam(level=conv_pw_1_relu)", "conv_pw_1_relu", "112x112"),
          ("fg-cam(level=input)", "input", "224x224")]
FG_LEVELS = [m for m, _, _ in LEVELS[1:]]
LIFT_OTHERS = ["grad-cam", "xgrad-cam", "grad-cam++", "layer-cam", "ablation-cam", "score-cam", "lrp-cam"]
LRP = ["lrp(rule=epsilon)", "lrp(rule=gamma)", "lrp(rule=z-plus)", "lrp(rule=alpha-beta)",
       "lrp(composite=epsilon-plus)", "lrp(composite=epsilon-gamma-box)", "lrp(composite=epsilon-alpha2-beta1)"]
ORDER = ["lift-cam", "lrp-cam"] + LIFT_OTHERS[:-1] + ["fg-cam(level=input)"] + FG_LEVELS[:-1] + LRP
RESOLUTION_TOLERANCE = 0.10  # "almost unaffected": every level's mean within 10% of the input level's mean
RESOLUTION_METRICS = ["deletion", "insertion"]  # the verdict's metrics (AD and IC are shown, not judged: IC is a share near 0)

# ---------------------------------------------------------------------------------------------- loading
values = {}          # (image, method, metric) -> value
stream_of = {}       # method -> stream
stream_images = {}   # stream -> sorted complete photos
runs = {}            # stream -> dict(shards, partial, seconds, images)
settings0 = None
for s in STREAMS:
    rows, keys = {}, set()
    done = sorted(d for d in glob.glob(os.path.join(args.out, s, "shard-*")) if os.path.isdir(d))
    seconds, full, partial, nfull = 0.0, 0, 0, 0
    for d in done:
        p = os.path.join(d, "per-image.csv")
        if not os.path.exists(p):
            continue
        if d.endswith(".tmp"):
            partial += 1
        else:
            full += 1
            st = json.load(open(os.path.join(d, "summary.json")))["settings"]
            settings0 = settings0 or st
            seconds += st.get("run_time_seconds", 0)
            nfull += st.get("images", 0)
        with open(p) as f:
            for r in csv.DictReader(f):
                rows[(r["image"], r["method"], r["metric"])] = float(r["value"])
                keys.add((r["method"], r["metric"]))
    imgs = {}
    for (im, m, k) in rows:
        imgs.setdefault(im, set()).add((m, k))
    complete = sorted(im for im, ks in imgs.items() if ks == keys)
    for (im, m, k), v in rows.items():
        if im in complete:
            values[(im, m, k)] = v
    for m, _ in keys:
        stream_of[m] = s
    stream_images[s] = complete
    runs[s] = {"finished_shards": full, "interrupted_shards_used": partial, "photos": len(complete),
               "seconds_in_finished_shards": round(seconds, 1),
               "photos_in_finished_shards": nfull,
               "methods": sorted({m for m, _ in keys}, key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))}

# the identity check: XGrad-CAM vs Grad-CAM and LRP-CAM vs LIFT-CAM on the first shard (stream "same")
same_vals, same_imgs = {}, set()
for d in sorted(glob.glob(os.path.join(args.out, "same", "shard-*"))):
    if d.endswith(".tmp") or not os.path.exists(os.path.join(d, "summary.json")):
        continue
    with open(os.path.join(d, "per-image.csv")) as f:
        for r in csv.DictReader(f):
            same_vals[(r["image"], r["method"], r["metric"])] = float(r["value"])
            same_imgs.add(r["image"])

labels = {}
with open(args.labels or os.path.join(args.out, "annotations.csv")) as f:
    for r in csv.DictReader(f):
        labels[os.path.splitext(r["image"])[0]] = int(r["label"])
top1 = {}
with open(args.top1) as f:
    for line in f:
        if line.startswith("#") or line.startswith("file,"):
            continue
        file, variant, cls = line.strip().split(",")[:3]
        if variant == args.variant:
            top1[os.path.splitext(file)[0]] = int(cls)
correct = {im for im in labels if top1.get(im) == labels[im]}


def per_photo(method, metric, images):
    return np.array([values[(im, method, metric)] for im in images])


def photos_of(*methods):
    sets = [set(stream_images[stream_of[m]]) for m in methods]
    return sorted(set.intersection(*sets))


def mean_t(x):
    n = len(x)
    if n == 0:
        return None
    m = float(np.mean(x))
    if n < 2:
        return {"mean": m, "half": None, "n": n}
    return {"mean": m, "half": float(student_t.ppf(0.975, n - 1) * np.std(x, ddof=1) / np.sqrt(n)), "n": n}


RNG_SEED = 0
SAME = 1e-4  # per-photo differences all below this: the same map up to the normalisation epsilon and rounding


def paired(a, b):
    """A minus B per photo: mean, bootstrap and t 95% intervals, share of photos where A is ahead."""
    d = a - b
    n = len(d)
    if n < 2:
        return None
    rng = np.random.default_rng(RNG_SEED)
    boot = d[rng.integers(0, n, size=(10000, n))].mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    half = student_t.ppf(0.975, n - 1) * np.std(d, ddof=1) / np.sqrt(n)
    return {"n": n, "mean": float(d.mean()), "boot95": [float(lo), float(hi)],
            "t95": [float(d.mean() - half), float(d.mean() + half)],
            "max_abs": float(np.abs(d).max()), "a_higher": int((d > 0).sum()), "a_lower": int((d < 0).sum()), "ties": int((d == 0).sum())}


def verdict(p, metric):
    """'better' / 'worse' for A (the claimed winner) when the bootstrap interval excludes 0, else 'n.d.'."""
    if p is None:
        return "–"
    if p["max_abs"] <= SAME:
        return "equal"
    lo, hi = p["boot95"]
    if lo > 0 or hi < 0:
        a_better = (hi < 0) if metric in LOWER else (lo > 0)
        return "better" if a_better else "worse"
    return "n.d."


def fmt(x, nd=3):
    return "–" if x is None else f"{x:.{nd}f}"


def cell(st):
    if st is None:
        return "–"
    return f"{st['mean']:.3f}" if st["half"] is None else f"{st['mean']:.3f} ± {st['half']:.3f}"


summary = {"runs": runs, "variant_for_correctness": args.variant, "photos_labelled": len(labels),
           "correct_top1_of_500": len(correct), "tables": {}, "claims": {}}
out = []
P = out.append

# ---------------------------------------------------------------------------------------------- section text
total_s = sum(r["seconds_in_finished_shards"] for r in runs.values())
P("## Real photos: the MobileNet on the 500 ImageNet photos, and the seeds' claims tested\n")
P("Made by `tools/make_photo_claims.sh` (one command: `candela evaluate` in resumable shards, then "
  "`tools/photo_claims.py`, which writes this section and `results/photo-claims-summary.json`). Model: the shared "
  "Keras MobileNet v1 0.25 (ImageNet-1k, about 50% top-1), imported from ONNX. Photos: "
  "`../shared/imagenet-sample`, one per even ImageNet class (500), read in place and never copied. Target = the "
  "label from `labels.csv` (not the prediction); scores are softmax probabilities of that class; CAM layer "
  "`conv_pw_13_relu` (256 x 7 x 7); preprocessing: the centre square, bilinear with antialiasing (as PIL) to "
  "224, pixel/127.5 - 1, embedded ICC profiles ignored. Deletion and insertion: RISE, "
  f"{(settings0 or {}).get('rise_step', 0)} pixels ({(settings0 or {}).get('rise_step', 0) // 224} rows of 224) per "
  "step, zero / blur (11x11, sigma 5) substrates; Average Drop masks the preprocessed input (x * L, so a pixel "
  "with L = 0 becomes mid-grey, the model's 0). Seed 0; same command, same numbers.\n")
all_done = all(runs[s]["photos"] >= 500 for s in STREAMS)
P("**What was run, on how many photos.** This is a 2-core machine shared with other jobs; the streams ran side by "
  "side at low CPU priority (`nice`, one thread per process) with a deadline, "
  + ("and every stream reached all 500 photos. " if all_done else "and not every stream reached all 500 photos. ")
  + "The photos are taken in an order fixed in advance (the MD5 of the file name), in shards of 5, so any set of "
  "shards is a uniform sample of the 500 classes, and every comparison below is paired on the photos both methods "
  "have. Rerunning the command resumes and extends the run (finished shards are skipped).\n")
P("| stream | methods | photos done | correctly classified among them | run time (s, summed over finished shards) | photos per second |")
P("|---|---|---|---|---|---|")
for s in STREAMS:
    r = runs[s]
    nc = sum(1 for im in stream_images[s] if im in correct)
    ips = r["photos_in_finished_shards"] / r["seconds_in_finished_shards"] if r["seconds_in_finished_shards"] else None
    P(f"| {s} | {', '.join(r['methods'])} | {r['photos']} of 500 | {nc} | {r['seconds_in_finished_shards']:.0f} | "
      f"{fmt(ips, 3)} |")
P("")
P(f"Throughput is the run's own (several processes side by side at low priority next to other work on 2 "
  f"cores, a fresh JVM per shard of 5 photos), not a benchmark. Total: {total_s:.0f} s of `candela evaluate` wall time summed over the finished "
  f"shards. Correctly classified = the top-1 of the PIL + PyTorch reference (`testdata/imagenet-top1.csv`, "
  f"variant `{args.variant}`, which Candela's top-1 matches on all 500 photos) equals the label: "
  f"{len(correct)} of 500 photos.\n")
P("**Not run:** XGrad-CAM and LRP-CAM beyond the identity check below (5 photos), the other CAM and attribution methods of the Fashion table (HiRes-CAM, SS-CAM, IS-CAM, "
  "Group-CAM, Eigen-CAM, FullGrad, gradient methods, ...), the LRP single rules `z-box`, `flat`, `w-square` and "
  "the `captum` composite, FG-CAM at `conv_pw_3_relu` (56x56) and with the Score-CAM base, and the metrics "
  "ROAD, pointing game (the photos have no boxes), sanity check, Shapley fidelity and the Quantus set: the run's "
  "time went to the four metrics the claims are about (AD, IC, deletion, insertion) plus ADD, which costs one "
  "forward.\n")

# ---------------------------------------------------------------------------------------------- identities
ident = {}
P("**Identical maps on this head.** The target score is affine in `conv_pw_13_relu` (global average pooling, "
  "then one linear layer), so XGrad-CAM's weights equal Grad-CAM's up to a constant and LRP-CAM's and "
  "Ablation-CAM's channel coefficients equal LIFT-CAM's (all are w_ck times the channel mean, up to a constant): "
  "the same maps up to the normalisation's epsilon (which can swap nearly tied pixels in the ranking, so a "
  "curve metric can move by up to about 1e-3). Checked, largest per-photo difference over the five metrics:\n")
P("| pair | photos | largest difference |")
P("|---|---|---|")
for a, b in (("xgrad-cam", "grad-cam"), ("lrp-cam", "lift-cam")):
    ims = sorted(im for im in same_imgs if all((im, m, k) in same_vals for m in (a, b) for k in METRICS))
    if ims:
        mx = max(abs(same_vals[(im, a, k)] - same_vals[(im, b, k)]) for im in ims for k in METRICS)
        ident[f"{a} vs {b}"] = {"photos": len(ims), "max_abs": mx}
        P(f"| {a} vs {b} | {len(ims)} | {mx:.1e} |")
if "ablation-cam" in stream_of:
    ims = stream_images["lift"]
    if ims:
        per = {im: max(abs(values[(im, "ablation-cam", k)] - values[(im, "lift-cam", k)]) for k in METRICS) for im in ims}
        mx = max(per.values())
        flipped = sorted(im for im, d in per.items() if d > 1e-2)
        ident["ablation-cam vs lift-cam"] = {"photos": len(ims), "max_abs": mx, "differing_photos": flipped}
        P(f"| ablation-cam vs lift-cam | {len(ims)} | {mx:.1e} |")
        if flipped:
            rest = max((d for im, d in per.items() if im not in flipped), default=0.0)
            P(f"\nAblation-CAM divides each channel's score drop by the target's score (pytorch-grad-cam's "
              f"`(score - ablated) / score`, on the logit), so its constant is negative where the target's logit is "
              f"negative: its weights are then LIFT-CAM's times a negative number and its map is inverted. That happens "
              f"on {len(flipped)} of {len(ims)} photos ({', '.join(flipped[:5])}{', ...' if len(flipped) > 5 else ''}); "
              f"on the others the largest difference is {rest:.1e}.")
summary["identities"] = ident
P("\nSo the lift stream runs Grad-CAM and LIFT-CAM for XGrad-CAM and LRP-CAM (their rows below are Grad-CAM's and "
  "LIFT-CAM's).\n")

# ---------------------------------------------------------------------------------------------- tables
for s in STREAMS:
    ims = stream_images[s]
    if not ims:
        continue
    for subset, sel in (("all photos", ims), ("correctly classified", [im for im in ims if im in correct])):
        P(f"### Stream `{s}`: {subset} (n = {len(sel)})\n")
        P("| method | " + " | ".join(SHORT[m] + (" ↓" if m in LOWER else " ↑") for m in METRICS) + " |")
        P("|---|" + "---|" * len(METRICS))
        for meth in runs[s]["methods"]:
            sts = {m: mean_t(per_photo(meth, m, sel)) for m in METRICS}
            summary["tables"].setdefault(s, {}).setdefault(subset, {})[meth] = sts
            P(f"| {meth} | " + " | ".join(cell(sts[m]) for m in METRICS) + " |")
        P("")
P("AD: Average Drop, max(0, Y-O)/Y with O the score of x*L (fraction; papers print x100). IC: share of photos "
  "whose score rises on x*L. ADD: LIFT-CAM's Average Drop in Deletion, (Y-D)/Y with D the score of x*(1-L). "
  "Deletion / insertion: RISE AUCs. Each method's map is normalised the way its reference implementation does "
  "it (min-max after ReLU for the CAMs; the signed channel sum, min-max, for LRP), as `candela evaluate` "
  "reports in its summary.json.\n")


def claim_table(a, others, subset_sel, key):
    rows = {}
    P("| " + a + " minus | " + " | ".join(SHORT[m] for m in CLAIM_METRICS) + " | n |")
    P("|---|" + "---|" * (len(CLAIM_METRICS) + 1))
    for b in others:
        if b not in stream_of or a not in stream_of:
            continue
        ims = [im for im in photos_of(a, b) if subset_sel(im)]
        cells, rec = [], {}
        for m in CLAIM_METRICS:
            p = paired(per_photo(a, m, ims), per_photo(b, m, ims))
            v = verdict(p, m)
            rec[m] = dict(p or {}, verdict=v)
            cells.append("–" if p is None else
                         f"{p['mean']:+.4f} [{p['boot95'][0]:+.4f}, {p['boot95'][1]:+.4f}] **{v}**")
        rows[b] = rec
        P(f"| {b} | " + " | ".join(cells) + f" | {len(ims)} |")
    P("")
    summary["claims"].setdefault(key, {})[a] = rows
    return rows


def tally(rows):
    out = {"better": [], "worse": [], "n.d.": [], "equal": []}
    for b, rec in rows.items():
        for m in CLAIM_METRICS:
            v = rec[m]["verdict"]
            if v in out:
                out[v].append(f"{b} on {SHORT[m]}")
    return out


def per_metric(rows):
    parts = []
    for m in CLAIM_METRICS:
        vs = [rec[m]["verdict"] for rec in rows.values()]
        parts.append(f"{SHORT[m]}: better than {vs.count('better')}, worse than {vs.count('worse')}, "
                     f"n.d. {vs.count('n.d.')}, equal {vs.count('equal')}")
    return "; ".join(parts)


def overall(t, name):
    if not any(t.values()):
        return "no photos yet"
    if not t["better"] and not t["worse"]:
        return "**not distinguishable on this model**"
    if t["worse"]:
        return (f"**does not hold** on this model: {name} is significantly worse in {len(t['worse'])} comparison(s) "
                f"({'; '.join(t['worse'])}), better in {len(t['better'])}, not distinguishable in {len(t['n.d.'])}, "
                f"equal in {len(t['equal'])}")
    if t["n.d."] or t["equal"]:
        return (f"**holds only in part**: {name} is significantly better in {len(t['better'])} comparison(s), not "
                f"distinguishable in {len(t['n.d.'])} ({'; '.join(t['n.d.']) or 'none'}) and equal in "
                f"{len(t['equal'])} ({'; '.join(t['equal']) or 'none'}); never significantly worse")
    return f"**holds**: {name} is significantly better in every comparison ({len(t['better'])})"


# ---------------------------------------------------------------------------------------------- claim 1: LIFT-CAM
P("### Claim 1 (LIFT-CAM seed): \"greatly outperforms other previous CAM-based methods\"\n")
P("Paired differences LIFT-CAM minus each CAM method, per photo, mean and 95% bootstrap interval; **better** / "
  "**worse** = LIFT-CAM is significantly better / worse (for AD and deletion lower is better, so a negative "
  "difference is better), **n.d.** = the interval contains 0, **equal** = every per-photo difference is below 1e-4 (for AD, deletion and insertion: the same map up to the normalisation's epsilon and rounding; for IC, which is 0 or 1 per photo: the same outcome on every photo). XGrad-CAM gives Grad-CAM's map and LRP-CAM "
  "LIFT-CAM's on this head (above), so they are not repeated; Ablation-CAM gives LIFT-CAM's map too.\n")
verdicts = {}
for subset, sel in (("all photos", lambda im: True), ("correctly classified", lambda im: im in correct)):
    P(f"#### {subset}\n")
    rows = claim_table("lift-cam", LIFT_OTHERS, sel, f"lift-cam/{subset}")
    prev = {b: r for b, r in rows.items() if b != "lrp-cam"}
    verdicts[f"lift/{subset}"] = overall(tally(prev), "LIFT-CAM")
    P(f"Per metric ({subset}): {per_metric(prev)}.\n")
    P(f"Verdict on {subset} (previous methods only, {len(CLAIM_METRICS)} metrics x {len(prev)} methods): "
      f"{verdicts[f'lift/{subset}']}.\n")

# ---------------------------------------------------------------------------------------------- claim 2: FG vs LRP
P("### Claim 2 (FG-CAM seed): \"outperforms LRP and its variants significantly in the input layer\"\n")
P("FG-CAM at the input (Grad-CAM base, the official code's default rules: z+ on hidden convs, z^B at the input) "
  "minus LRP with each single rule on every layer and each composite, paired per photo. Same reading as above.\n")
for subset, sel in (("all photos", lambda im: True), ("correctly classified", lambda im: im in correct)):
    P(f"#### {subset}\n")
    rows = claim_table("fg-cam(level=input)", LRP, sel, f"fg-vs-lrp/{subset}")
    verdicts[f"fg/{subset}"] = overall(tally(rows), "FG-CAM at the input")
    P(f"Per metric ({subset}): {per_metric(rows)}.\n")
    P(f"Verdict on {subset}: {verdicts[f'fg/{subset}']}.\n")

# ---------------------------------------------------------------------------------------------- claim 3: levels
P("### Claim 3 (FG-CAM seed): performance \"almost unaffected by the explanation resolution\"\n")
P("FG-CAM raised from `conv_pw_13_relu` (7x7) to four levels: `conv_pw_11_relu` (14x14), `conv_pw_5_relu` "
  "(28x28), `conv_pw_1_relu` (112x112) and the input (224x224); Grad-CAM at 7x7, the map FG-CAM starts from, for "
  "reference. Means on the photos every level has (paired), the spread (largest minus smallest level mean of the "
  f"four FG-CAM levels) relative to the input level's mean, and each level minus the input level with its 95% "
  f"bootstrap interval. The verdict reads \"almost unaffected\" as: every FG-CAM level's mean within "
  f"{RESOLUTION_TOLERANCE:.0%} of the input level's mean on deletion and on insertion, the two curve metrics (AD and IC "
  f"are shown but not judged: IC is a share of photos near 0, where a relative spread means little).\n")
for subset, sel in (("all photos", lambda im: True), ("correctly classified", lambda im: im in correct)):
    ims = [im for im in photos_of(*FG_LEVELS) if sel(im)]
    ims7 = [im for im in photos_of(*FG_LEVELS, "grad-cam") if sel(im)]
    P(f"#### {subset} (n = {len(ims)}; Grad-CAM row on the {len(ims7)} photos it shares with them)\n")
    P("| level | " + " | ".join(SHORT[m] for m in CLAIM_METRICS) + " |")
    P("|---|" + "---|" * len(CLAIM_METRICS))
    rec = {"n": len(ims), "levels": {}, "relative_spread": {}, "minus_input": {}}
    for meth, layer, res in LEVELS:
        sel_ims = ims7 if meth == "grad-cam" else ims
        if meth not in stream_of or len(sel_ims) < 2:
            continue
        cells = []
        for m in CLAIM_METRICS:
            st = mean_t(per_photo(meth, m, sel_ims))
            rec["levels"].setdefault(meth, {})[m] = st
            if meth in FG_LEVELS and meth != "fg-cam(level=input)":
                p = paired(per_photo(meth, m, ims), per_photo("fg-cam(level=input)", m, ims))
                rec["minus_input"].setdefault(meth, {})[m] = p
                cells.append(f"{cell(st)} (vs input {p['mean']:+.3f} [{p['boot95'][0]:+.3f}, {p['boot95'][1]:+.3f}])")
            else:
                cells.append(cell(st))
        P(f"| {res} `{layer}` | " + " | ".join(cells) + " |")
    ok = len(ims) >= 2
    within = True
    within_m = {}
    spreads = []
    for m in CLAIM_METRICS if ok else []:
        means = [rec["levels"][meth][m]["mean"] for meth in FG_LEVELS]
        ref = rec["levels"]["fg-cam(level=input)"][m]["mean"]
        spread = (max(means) - min(means)) / abs(ref) if ref else float("inf")
        rec["relative_spread"][m] = spread
        spreads.append(f"{SHORT[m]} {spread:.0%}")
        if m in RESOLUTION_METRICS:
            within_m[m] = not any(abs(x - ref) > RESOLUTION_TOLERANCE * abs(ref) for x in means)
            within = within and within_m[m]
    P("")
    if ok:
        sig = [f"{meth.split('=')[1][:-1]} on {SHORT[m]}" for meth, d in rec["minus_input"].items()
               for m, p in d.items() if m in RESOLUTION_METRICS and p and (p["boot95"][0] > 0 or p["boot95"][1] < 0)]
        held = [SHORT[m] for m in RESOLUTION_METRICS if within_m[m]]
        failed = [SHORT[m] for m in RESOLUTION_METRICS if not within_m[m]]
        v = ("**holds**" if within else "**does not hold**" if not held else
             f"**holds on {', '.join(held)}, does not hold on {', '.join(failed)}**") + \
            f" by the {RESOLUTION_TOLERANCE:.0%} reading: relative spread across the four levels {', '.join(spreads)}; " + \
            (f"levels significantly different from the input level on deletion or insertion: {'; '.join(sig)}" if sig else
             "no level is significantly different from the input level on deletion or insertion")
        verdicts[f"levels/{subset}"] = v
        P(f"Verdict on {subset}: {v}.\n")
    summary["claims"].setdefault("fg-levels", {})[subset] = rec

# ---------------------------------------------------------------------------------------------- reading (hand-written)
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "photo-claims-notes.md")
if os.path.exists(notes):
    P(open(notes).read().strip() + "\n")

# ---------------------------------------------------------------------------------------------- context
P("### Why this model and these photos differ from the papers'\n")
P("- **LIFT-CAM** (Jung & Oh, ICCV 2021) was evaluated on torchvision's ImageNet-pretrained VGG16 and ResNet50 "
  "(official code); the number of ImageNet validation images and the table values are not in the reference "
  "notes (`../shared/reference/lift-cam.md`). **FG-CAM** (Qiu et al.) publishes code only for VGG16 / VGG16-BN "
  "on ImageNet validation images; its tables were not available to us either. So the papers' own numbers "
  "are not compared here, only their claims.\n"
  "- This model is a MobileNet v1 at width 0.25: about 50% top-1 (VGG16 72%, ResNet50 76%), 256 channels at "
  "7x7 in the CAM layer (VGG16 512, ResNet50 2048), depthwise-separable convolutions, ReLU6 and batch norm. "
  "Its head is global average pooling + one linear layer, so the target class score is affine in the CAM "
  "layer: LIFT-CAM's DeepLIFT coefficients are then the exact Shapley values of the channels, and CAM, "
  "Grad-CAM and XGrad-CAM give the same map. On VGG16 (three fully connected layers with ReLUs after the "
  "pool) the methods differ more, which is where LIFT-CAM's advantage is claimed; on a ResNet50-like affine "
  "head the paper's setting is the same as here.\n"
  "- FG-CAM's official rules cover only VGG's layers (convolutions, ReLU, max-pooling); on this network Candela "
  "applies the same z+ / z^B rules through depthwise convolutions, merged batch norm and ReLU6, which the "
  "paper never tested. The resolution levels are this network's (7, 14, 28, 112, 224), not VGG's "
  "(14, 28, 56, 112, 224).\n"
  "- The photos are a public sample of the ImageNet **training** set (one photo per even class), not the "
  "validation images the papers used; the model may have seen them in training, although its top-1 on them "
  f"is only {len(correct) / 5:.0f}%. One photo per class and the label (not the prediction) as the target: on a "
  "misclassified photo the maps explain a class the model does not pick, hence the separate tables on the "
  "correctly classified subset.\n")

section = "\n".join(out).rstrip() + "\n"
os.makedirs(os.path.dirname(args.section) or ".", exist_ok=True)
with open(args.section, "w") as f:
    f.write(section)
summary["verdicts"] = verdicts
os.makedirs(os.path.dirname(args.summary) or ".", exist_ok=True)
with open(args.summary, "w") as f:
    json.dump(summary, f, indent=1, sort_keys=False, default=float)
    f.write("\n")
# the table means as a small CSV beside the JSON
with open(os.path.splitext(args.summary)[0] + "-means.csv", "w", newline="") as f:
    wr = csv.writer(f)
    wr.writerow(["stream", "subset", "method", "metric", "n", "mean", "ci95_half_width"])
    for st_name, subsets in summary["tables"].items():
        for subset, per in subsets.items():
            for meth, stats in per.items():
                for metric, st in stats.items():
                    if st is not None:
                        wr.writerow([st_name, subset, meth, metric, st["n"], f"{st['mean']:.6f}",
                                     "" if st["half"] is None else f"{st['half']:.6f}"])
if args.results:
    text = open(args.results).read() if os.path.exists(args.results) else ""
    block = "<!-- photo-claims:start -->\n" + section + "<!-- photo-claims:end -->\n"
    if "<!-- photo-claims:start -->" in text:
        text = re.sub(r"<!-- photo-claims:start -->.*?<!-- photo-claims:end -->\n?", lambda _: block, text, flags=re.S)
    else:
        # after the introduction, before the first per-model table
        i = text.find("\n## fashion-")
        text = text + "\n" + block if i < 0 else text[:i + 1] + block + "\n" + text[i + 1:]
    with open(args.results, "w") as f:
        f.write(text)
print(f"photo_claims: {', '.join(str(runs[s]['photos']) + ' photos in ' + s for s in STREAMS)}; "
      f"wrote {args.section}, {args.summary}" + (f", {args.results}" if args.results else ""), file=sys.stderr)
