#!/usr/bin/env bash
# Reproduces RESULTS.md: every method x every metric
#   (a) on each shipped Fashion-MNIST model in weights/ over the first N (default 1,000) test images,
#   (b) on the shared ImageNet MobileNet v1 0.25 over the shared photos (../shared/images).
# Usage: tools/make_results.sh   (environment: PARTS, N, SHARD, JOBS, METHODS, IMAGENET_METHODS, FASHION_ARGS, IMAGENET_ARGS, OUT, THREADS, PARALLEL)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
N="${N:-1000}"
OUT="${OUT:-build/results}"
THREADS="${THREADS:-2}"
METHODS="${METHODS:-all,gradient,gradient-x-input,guided-backprop,guided-grad-cam,deeplift,integrated-gradients,smoothgrad}"
# SS-CAM (~3 min per 224x224 map here: 35 x 256 forwards) and IS-CAM (~1 min) are in, without their sanity check.
IMAGENET_METHODS="${IMAGENET_METHODS:-cam,grad-cam,hires-cam,grad-cam-elementwise,grad-cam++,xgrad-cam,layer-cam,smooth-grad-cam++,score-cam,ss-cam,is-cam,group-cam,ablation-cam,eigen-cam,eigen-grad-cam,full-grad,random-cam,lift-cam,lrp-cam,fg-cam,gradient,gradient-x-input,guided-backprop,guided-grad-cam,deeplift,integrated-gradients,smoothgrad}"
# Fashion: 28x28 inputs, RISE step = one row (28 px) -> 28 steps. The sanity check reruns a method once per
# randomised layer; SS-CAM and IS-CAM (35 and 10 forwards per channel) would more than double the run, so they skip it.
FASHION_ARGS="${FASHION_ARGS:---step 28 --road-percentiles 10,20,30,40,50,60,70,80,90 --sanity-layers 3 --sanity-skip ss-cam,is-cam}"
# The Fashion set runs in shards of SHARD images, JOBS at a time (1 thread each), the models interleaved shard by
# shard; a shard whose summary.json exists is not run again, so an interrupted run resumes where it stopped.
# The metrics of the published table (TorchCAM's deletion/insertion variant, 20 steps, repeats the RISE curves at a coarser step and is left out).
METRICS="${METRICS:-average-drop,increase-in-confidence,average-drop-in-deletion,drop-in-confidence,deletion,insertion,road-morf,road-lerf,road-combined,pointing-game,sanity-spearman,sanity-ssim,shapley-spearman,shapley-cosine,shapley-rel-error,time-ms}"
SHARD="${SHARD:-50}"
JOBS="${JOBS:-2}"
IMAGENET_ARGS="${IMAGENET_ARGS:---step 1792 --road-percentiles 20,40,60,80 --sanity-layers 3 --sanity-skip score-cam,ss-cam,is-cam,full-grad,integrated-gradients}"
mkdir -p "$OUT"
start=$(date +%s)
./candela --version >/dev/null 2>&1 || true

shopt -s nullglob
models=(weights/*.cnd)
# PARTS picks what runs (default both): "fashion", "imagenet" (the three shared photos), "photos" (../shared/imagenet-sample)
PARTS="${PARTS:-fashion imagenet}"
if [[ " $PARTS " != *" fashion "* ]]; then
  :
elif [ ${#models[@]} -eq 0 ]; then
  echo "make_results: no shipped model in weights/ (*.cnd): Fashion-MNIST part skipped" >&2
else
  evalset="build/eval/fashion-test-$N"
  [ -f "$evalset/annotations.csv" ] || /usr/bin/python3 tools/export_fashion_eval_set.py --n "$N" --out "$set"
  rm -rf "$evalset/shards"
  i=0
  for f in $(cd "$evalset/images" && ls | sort); do
    s=$(printf '%03d' $((i / SHARD))); mkdir -p "$evalset/shards/$s"; ln -s "../../images/$f" "$evalset/shards/$s/$f"; i=$((i + 1))
  done
  run_shard() { # model shard
    local name out t0
    name="$(basename "$1" .cnd)"; out="$OUT/$name/shard-$2"
    [ -f "$out/summary.json" ] && return 0
    t0=$(date +%s)
    ./candela evaluate --model "$1" --input "$evalset/shards/$2" --annotations "$evalset/annotations.csv" --method "$METHODS" \
      --metric "$METRICS" --seed 0 --threads 1 $FASHION_ARGS --out "$out.tmp" > "$out.log" 2>&1 || { echo "make_results: $name shard $2 failed, see $out.log" >&2; return 1; }
    echo "$(( $(date +%s) - t0 ))" > "$out.tmp/wall-seconds.txt"
    rm -rf "$out"; mv "$out.tmp" "$out"; echo "make_results: $name shard $2 done in $(( $(date +%s) - t0 )) s" >&2
  }
  export -f run_shard; export evalset OUT METHODS METRICS FASHION_ARGS
  for m in "${models[@]}"; do mkdir -p "$OUT/$(basename "$m" .cnd)"; done
  for s in $(cd "$evalset/shards" && ls); do for m in "${models[@]}"; do echo "$m $s"; done; done \
    | xargs -P "$JOBS" -L 1 bash -c 'run_shard "$@"' _
fi

shared="${SHARED:-$root/../shared}"
if [[ " $PARTS " != *" imagenet "* ]]; then
  :
elif [ -f "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" ]; then
  mkdir -p build/eval "$OUT/mobilenet_v1_0.25"
  [ -f build/eval/mobilenet_v1_0.25.cnd ] || ./candela convert "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" \
    build/eval/mobilenet_v1_0.25.cnd --labels "$shared/models/imagenet_classes.txt" --resize 224 --crop center \
    --scale 0.00784313725 --offset -1
  # one run per photo (numbers do not depend on this: seeds are per image and method), resumable like the shards;
  # PARALLEL=1 runs them at once
  for img in "$shared"/images/*.png "$shared"/images/*.jpg; do
    stem="$(basename "${img%.*}")"; out="$OUT/mobilenet_v1_0.25/$stem"
    [ -f "$out/summary.json" ] && continue
    (t0=$(date +%s)
     ./candela evaluate --model build/eval/mobilenet_v1_0.25.cnd --input "$img" \
       --annotations testdata/annotations/imagenet-photos.csv --method "$IMAGENET_METHODS" --metric "$METRICS" \
       --seed 0 --threads "$THREADS" $IMAGENET_ARGS --out "$out.tmp" > "$out.log" 2>&1 \
       || { echo "make_results: $stem failed, see $out.log" >&2; exit 1; }
     echo "$(( $(date +%s) - t0 ))" > "$out.tmp/wall-seconds.txt"
     rm -rf "$out"; mv "$out.tmp" "$out"; echo "make_results: $stem done in $(( $(date +%s) - t0 )) s" >&2) &
    [ "${PARALLEL:-0}" = 1 ] || wait
  done
  wait
else
  echo "make_results: $shared/models/mobilenet_v1_0.25_224_imagenet.onnx not found: ImageNet part skipped" >&2
fi

# The seeds' claims on these photos and the "Real photos" section of this file: tools/make_photo_claims.sh (it
# writes results/photo-claims.md, which tools/results_table.py keeps in RESULTS.md).
# PARTS="photos": the same MobileNet over the 500 labelled ImageNet photos of ../shared/imagenet-sample (issue 16),
# in resumable shards of PHOTO_SHARD photos (a shard with a summary.json is not run again); PHOTOS=N takes the
# first N photos only (e.g. PHOTOS=3 to try the pipeline). Labels come from its labels.csv; the photos stay there.
if [[ " $PARTS " == *" photos "* ]]; then
  sample="$shared/imagenet-sample"
  if [ ! -f "$sample/labels.csv" ] || [ ! -f "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" ]; then
    echo "make_results: $sample/labels.csv or the shared MobileNet not found: photos part skipped" >&2
  else
    mkdir -p build/eval
    [ -f build/eval/mobilenet_v1_0.25.cnd ] || ./candela convert "$shared/models/mobilenet_v1_0.25_224_imagenet.onnx" \
      build/eval/mobilenet_v1_0.25.cnd --labels "$shared/models/imagenet_classes.txt" --resize 224 --crop center \
      --scale 0.00784313725 --offset -1
    set_dir="build/eval/imagenet-sample${PHOTOS:+-$PHOTOS}"
    rm -rf "$set_dir"; mkdir -p "$set_dir/shards"
    { echo "image,label"; tail -n +2 "$sample/labels.csv" | cut -d, -f1,2; } > "$set_dir/annotations.csv"
    i=0
    for f in $(tail -n +2 "$sample/labels.csv" | cut -d, -f1 | head -n "${PHOTOS:-100000}"); do
      s=$(printf '%03d' $((i / ${PHOTO_SHARD:-10}))); mkdir -p "$set_dir/shards/$s"; ln -s "$sample/$f" "$set_dir/shards/$s/$f"; i=$((i + 1))
    done
    dest="$OUT/mobilenet_v1_0.25-imagenet-sample${PHOTOS:+-$PHOTOS}"; mkdir -p "$dest"
    for s in $(cd "$set_dir/shards" && ls); do
      out="$dest/shard-$s"
      [ -f "$out/summary.json" ] && continue
      t0=$(date +%s)
      ./candela evaluate --model build/eval/mobilenet_v1_0.25.cnd --input "$set_dir/shards/$s" --annotations "$set_dir/annotations.csv" \
        --method "$IMAGENET_METHODS" --metric "$METRICS" --seed 0 --threads "$THREADS" $IMAGENET_ARGS --out "$out.tmp" > "$out.log" 2>&1 \
        || { echo "make_results: photos shard $s failed, see $out.log" >&2; exit 1; }
      echo "$(( $(date +%s) - t0 ))" > "$out.tmp/wall-seconds.txt"
      rm -rf "$out"; mv "$out.tmp" "$out"; echo "make_results: photos shard $s done in $(( $(date +%s) - t0 )) s" >&2
    done
  fi
fi

/usr/bin/python3 tools/results_table.py "$OUT" --preamble docs/results-notes.md > RESULTS.md
echo "make_results: wrote RESULTS.md from $OUT ($(( $(date +%s) - start )) s in this invocation)" >&2
