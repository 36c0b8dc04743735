#!/usr/bin/env bash
# The Shapley-closeness table of RESULTS.md (a run of its own: the full tools/make_results.sh run takes hours):
# how close each channel-coefficient method's coefficients come to the layer's Shapley values, per image
# (shapley-rel-error, shapley-spearman, shapley-cosine; shapley-ref-se = the reference's own relative standard error).
#   (a) the first N (default 1000: the images of the main tables) Fashion-MNIST test images on each shipped model in weights/, at the CAM layer
#       (affine head after it) and one stage deeper in (nonlinear head);
#   (b) the shared MobileNet v1 0.25 on the three shared photos (../shared/images) and on the first 20 photos of
#       ../shared/imagenet-sample, at conv_pw_13_relu (affine head) and conv_pw_11_relu (nonlinear head).
# Runs at the lowest priority, one thread; a part whose summary.json exists is not run again.
# Usage: tools/make_shapley_closeness.sh  (environment: N, OUT, METHODS, PAIRS, DATA = the Fashion-MNIST folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
N="${N:-1000}"
OUT="${OUT:-build/shapley-closeness}"
PAIRS="${PAIRS:-32}"
DATA="${DATA:-/usr/share/datasets/fashion-mnist}"
METHODS="${METHODS:-lift-cam,shapley-cam,lime-cam,lrp-cam,grad-cam,xgrad-cam,ablation-cam,score-cam}"
METRICS="shapley-rel-error,shapley-spearman,shapley-cosine,shapley-ref-se"
mkdir -p "$OUT"
# part OUTNAME "what it is" MODEL INPUT ANNOTATIONS [evaluate options...]: one resumable evaluate run
part() {
  local name="$1" what="$2" model="$3" input="$4" ann="$5"; shift 5
  [ -f "$OUT/$name/summary.json" ] && return 0
  local t0; t0=$(date +%s)
  nice -n 19 ./candela evaluate --model "$model" --input "$input" --annotations "$ann" --method "$METHODS" \
    --metric "$METRICS" --shapley-pairs "$PAIRS" --seed 0 --threads 1 "$@" --out "$OUT/$name.tmp" > "$OUT/$name.log" 2>&1
  echo "$what" > "$OUT/$name.tmp/part.txt"
  echo "$(( $(date +%s) - t0 ))" > "$OUT/$name.tmp/wall-seconds.txt"
  rm -rf "$OUT/$name"; mv "$OUT/$name.tmp" "$OUT/$name"
}
evalset="build/eval/fashion-test-$N"
[ -f "$evalset/annotations.csv" ] || /usr/bin/python3 tools/export_fashion_eval_set.py --data "$DATA" --n "$N" --out "$evalset"
for m in weights/*.cnd; do
  name="$(basename "$m" .cnd)"
  # the CAM layer (stage3, 64 maps): global average pool + linear after it, an affine head
  part "$name" "layer auto = /stage3/relu2/Relu (64 maps); head: global average pool + linear (affine)" \
    "$m" "$evalset/images" "$evalset/annotations.csv"
  # one stage deeper in (32 maps): stage3's convolutions, ReLUs (and residual addition) before the pool, a nonlinear head
  part "$name-stage2" "layer /stage2/relu2/Relu (32 maps); head: stage3 (two conv + BN + ReLU) + pool + linear (nonlinear)" \
    "$m" "$evalset/images" "$evalset/annotations.csv" --layer /stage2/relu2/Relu
done
shared="${SHARED:-$root/../shared}"
if [ -f "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" ]; then
  mkdir -p build/eval
  mn=build/eval/mobilenet_v1_0.25.cnd
  [ -f "$mn" ] || ./candela convert "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" \
    "$mn" --labels "$shared/models/imagenet_classes.txt" --resize 224 --crop center \
    --scale 0.00784313725 --offset -1
  part mobilenet_v1_0.25-photos "the three shared photos (../shared/images); layer conv_pw_13_relu (256 maps); head: pool + linear (affine)" \
    "$mn" "$shared/images" testdata/annotations/imagenet-photos.csv --layer conv_pw_13_relu
  part mobilenet_v1_0.25-photos-pw11 "the three shared photos; layer conv_pw_11_relu (128 maps); head: two depthwise-separable blocks + pool + linear (nonlinear)" \
    "$mn" "$shared/images" testdata/annotations/imagenet-photos.csv --layer conv_pw_11_relu
  sample="$shared/imagenet-sample"
  if [ -f "$sample/labels.csv" ]; then
    # the first 20 photos of labels.csv, linked (never copied), target = their label
    set20=build/eval/imagenet-sample-20
    mkdir -p "$set20/images"
    { echo "image,label"; tail -n +2 "$sample/labels.csv" | head -n 20 | cut -d, -f1,2; } > "$set20/annotations.csv"
    tail -n +2 "$sample/labels.csv" | head -n 20 | cut -d, -f1 | while read -r f; do ln -sf "$sample/$f" "$set20/images/$f"; done
    part mobilenet_v1_0.25-sample20 "the first 20 photos of ../shared/imagenet-sample/labels.csv; layer conv_pw_13_relu (256 maps); head: pool + linear (affine)" \
      "$mn" "$set20/images" "$set20/annotations.csv" --layer conv_pw_13_relu
    part mobilenet_v1_0.25-sample20-pw11 "the same 20 photos; layer conv_pw_11_relu (128 maps); head: two depthwise-separable blocks + pool + linear (nonlinear)" \
      "$mn" "$set20/images" "$set20/annotations.csv" --layer conv_pw_11_relu
  fi
fi
N="$N" /usr/bin/python3 tools/shapley_closeness_table.py "$OUT"
