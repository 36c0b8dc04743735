#!/usr/bin/env bash
# Issue 16 items 2 and 3: the shared MobileNet v1 0.25 on the 500 labelled ImageNet photos of
# ../shared/imagenet-sample, the seeds' claims (LIFT-CAM, FG-CAM) tested with paired differences, and the
# "Real photos" section of RESULTS.md rewritten from the per-image values (tools/photo_claims.py).
#
# Deletion / insertion take STEP pixels per step (default 3584 = 16 rows of 224: 14 steps; RISE's batch evaluation
# uses 1792, which doubles the forwards, and the forwards of these two metrics are most of the run's cost).
# Usage: tools/make_photo_claims.sh            (environment: SHARED, OUT, SHARD, STREAMS, DEADLINE, STEP)
#
# - Target = the label (labels.csv), CAM layer conv_pw_13_relu, softmax scores, seed 0.
# - Preprocessing: the centre square, PIL-style bilinear with antialiasing to 224 (candela convert
#   --interpolation bilinear-antialias; the variant testdata/imagenet-top1.csv checks), pixel/127.5 - 1,
#   ICC profiles ignored.
# - The photos run in a fixed shuffled order (sorted by the MD5 of the file name), in shards of SHARD photos,
#   so every prefix of finished shards is a uniform sample of the 500 classes. A shard whose summary.json
#   exists is not run again: an interrupted run resumes where it stopped (rerun the same command).
# - Three streams run side by side, each with one thread at the lowest CPU priority (nice 19):
#     lift:  the LIFT-CAM claim's CAM methods (cheap: one backward each, Ablation-CAM 256 head evaluations);
#            XGrad-CAM and LRP-CAM are left out: on this GAP + linear head they give Grad-CAM's and LIFT-CAM's
#            maps (checked on the first 5 photos, every metric equal to within 4e-6, see RESULTS.md)
#     fg:    FG-CAM at four levels and the LRP rules and composites at the input
#     score: Score-CAM alone (256 masked forwards per photo: the expensive one)
#     same:  Grad-CAM, XGrad-CAM, LIFT-CAM, LRP-CAM on the first shard only (the identity check above)
#   DEADLINE=HH:MM (UTC) stops starting new shards after that time; the analysis then uses every photo whose
#   rows are complete (including photos of an interrupted shard, whose rows evaluate writes as it goes).
#   Without DEADLINE every stream runs to the end of the 500 photos.
# Photos and the model are read from ../shared and never copied into the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="${SHARED:-$root/../shared}"
OUT="${OUT:-build/photo-claims}"
SHARD="${SHARD:-5}"
STEP="${STEP:-3584}"
STREAMS="${STREAMS:-lift fg score same}"
sample="$shared/imagenet-sample"
onnx="$shared/models/mobilenet_v1_0.25_224_imagenet.onnx"
if [ ! -f "$sample/labels.csv" ] || [ ! -f "$onnx" ]; then
  echo "make_photo_claims: $sample/labels.csv or $onnx not found" >&2; exit 2
fi
METRICS="average-drop,increase-in-confidence,average-drop-in-deletion,deletion,insertion"
declare -A METHODS=(
  [lift]="grad-cam,grad-cam++,layer-cam,ablation-cam,lift-cam"
  [fg]="fg-cam(level=input),fg-cam(level=conv_pw_1_relu),fg-cam(level=conv_pw_5_relu),fg-cam(level=conv_pw_11_relu),lrp(rule=epsilon),lrp(rule=gamma),lrp(rule=z-plus),lrp(rule=alpha-beta),lrp(composite=epsilon-plus),lrp(composite=epsilon-gamma-box),lrp(composite=epsilon-alpha2-beta1)"
  [score]="score-cam"
  [same]="grad-cam,xgrad-cam,lift-cam,lrp-cam"
)
# the "same" stream only checks, on its first SAME_SHARDS shards, that XGrad-CAM and LRP-CAM give Grad-CAM's and
# LIFT-CAM's numbers on this head (so the lift stream can leave them out)
SAME_SHARDS="${SAME_SHARDS:-1}"
model="$OUT/mobilenet_v1_0.25.cnd"
mkdir -p "$OUT"
start=$(date +%s)
if [ ! -f "$model" ]; then
  ./candela convert "$onnx" "$model" --labels "$shared/models/imagenet_classes.txt" --resize 224 --crop center \
    --interpolation bilinear-antialias --scale 0.00784313725 --offset -1 >&2
fi
# the shuffled order and its shards (symbolic links to the shared photos, never copies)
[ -f "$OUT/annotations.csv" ] || { echo "image,label"; tail -n +2 "$sample/labels.csv" | cut -d, -f1,2; } > "$OUT/annotations.csv"
# (made once: a second invocation, e.g. STREAMS=same beside a running one, keeps the links the first one reads)
[ -d "$OUT/shards" ] || {
mkdir -p "$OUT/shards.tmp"
i=0
for f in $(tail -n +2 "$sample/labels.csv" | cut -d, -f1 | while read -r f; do echo "$(echo -n "$f" | md5sum | cut -c1-32) $f"; done | sort | cut -d' ' -f2); do
  s=$(printf '%03d' $((i / SHARD))); mkdir -p "$OUT/shards.tmp/$s"; ln -s "$sample/$f" "$OUT/shards.tmp/$s/$f"; i=$((i + 1))
done
mv "$OUT/shards.tmp" "$OUT/shards"; }

run_stream() { # name
  local name="$1" s out t0
  local k=0
  mkdir -p "$OUT/$name"
  for s in $(cd "$OUT/shards" && ls); do
    k=$((k + 1)); [ "$name" = same ] && [ "$k" -gt "$SAME_SHARDS" ] && return 0
    out="$OUT/$name/shard-$s"
    [ -f "$out/summary.json" ] && continue
    if [ -n "${DEADLINE:-}" ] && [ "$(date -u +%H%M)" \> "${DEADLINE/:/}" ]; then
      echo "make_photo_claims: $name: deadline $DEADLINE reached, shard $s and later not started" >&2; return 0
    fi
    t0=$(date +%s)
    rm -rf "$out.tmp"
    nice -n 19 ./candela evaluate --model "$model" --input "$OUT/shards/$s" --annotations "$OUT/annotations.csv" \
      --layer conv_pw_13_relu --method "${METHODS[$name]}" --metric "$METRICS" --step "$STEP" --seed 0 --threads 1 \
      --out "$out.tmp" > "$out.log" 2>&1 || { echo "make_photo_claims: $name shard $s failed, see $out.log" >&2; return 1; }
    echo "$(( $(date +%s) - t0 ))" > "$out.tmp/wall-seconds.txt"
    rm -rf "$out"; mv "$out.tmp" "$out"
    echo "make_photo_claims: $name shard $s done in $(( $(date +%s) - t0 )) s" >&2
  done
}
pids=()
for name in $STREAMS; do run_stream "$name" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || true; done
echo "make_photo_claims: runs finished after $(( $(date +%s) - start )) s in this invocation" >&2

/usr/bin/python3 tools/photo_claims.py "$OUT" --top1 testdata/imagenet-top1.csv --summary results/photo-claims-summary.json \
  --results RESULTS.md
echo "make_photo_claims: wrote the real-photo section of RESULTS.md and results/photo-claims-summary.json" >&2
