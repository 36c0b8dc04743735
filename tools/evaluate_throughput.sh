#!/usr/bin/env bash
# Issue 14's last target row: `candela evaluate` throughput on ImageNet photos, images per second per method.
# The shared MobileNet at conv_pw_13_relu, the claims' five metrics (tools/make_photo_claims.sh: step 3584 =
# 14 rows of pixels per deletion / insertion step), N photos of ../shared/imagenet-sample, one method per run,
# whole process timed (JVM start, model load, every file written).
#   tools/evaluate_throughput.sh [N] [THREADS] > benchmarks/evaluate-throughput.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20}" T="${2:-2}"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/in"
# the first N in name order (an array, not ls | head: under pipefail, head closing the pipe early fails the script)
photos=(../shared/imagenet-sample/*.JPEG)
for f in "${photos[@]:0:$N}"; do ln -s "$PWD/$f" "$dir/in/"; done
model=../shared/models/mobilenet_v1_0.25_224_imagenet.onnx
# the preprocessing of tools/make_photo_claims.sh: centre square, antialiased bilinear to 224, pixel/127.5 - 1
./candela convert "$model" "$dir/m.cnd" --labels ../shared/models/imagenet_classes.txt --resize 224 --crop center \
  --interpolation bilinear-antialias --scale 0.00784313725 --offset -1 >/dev/null
echo "{\"photos\": $N, \"threads\": $T, \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
for m in grad-cam grad-cam++ layer-cam lift-cam ablation-cam score-cam fg-cam lrp deeplift; do
  t0=$(date +%s.%N)
  ./candela evaluate --model "$dir/m.cnd" --input "$dir/in" --layer conv_pw_13_relu --method "$m" \
    --metric average-drop,increase-in-confidence,average-drop-in-deletion,deletion,insertion --step 3584 --seed 0 \
    --threads "$T" --out "$dir/out-$m" > "$dir/log-$m" 2>&1 || { echo "{\"method\": \"$m\", \"failed\": true}"; continue; }
  t1=$(date +%s.%N)
  python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print('{\"method\": \"%s\", \"wall_s\": %.2f, \"images_per_s\": %.3f}' % (sys.argv[3], w, int(sys.argv[4]) / w))" "$t0" "$t1" "$m" "$N"
done
echo "{\"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
