#!/usr/bin/env bash
# Explanation benchmarks (BENCHMARKS.md, "Explanations"): Candela (dev.candela.bench.ExplainBench) and
# its peers (tools/bench_cam_torch.py = pytorch-grad-cam, tools/bench_attr_torch.py = official
# LIFT-CAM / FG-CAM code and Captum) run side by side, Java and Python of each group at the same time
# (same load), one thread each (THREADS=2 for two). Output: JSON lines in benchmarks/explain-*.jsonl,
# then `tools/bench_table.py`-style tables with tools/bench_explain_table.py.
#   /usr/bin/python3 tools/export_bench_models.py      # first: tools/build/{resnet50,vgg16}_224.onnx + input
#   tools/bench_explain.sh [group ...]                  # groups: r50-partial mobilenet r50 vgg (r50-score: Score-CAM only)
set -euo pipefail
cd "$(dirname "$0")/.."
T="${THREADS:-1}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" PATH="/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
export OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T
[ -f target/bench.cp ] || { mkdir -p target; mvn -B -q -o -pl candela-cli -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/target/bench.cp" -Dmdep.includeScope=test >/dev/null; }
CP="candela-cli/target/test-classes:candela-cli/target/classes:$(cat target/bench.cp)"
mkdir -p benchmarks
J() { java --add-modules jdk.incubator.vector -Xmx6g -cp "$CP" dev.candela.bench.ExplainBench "$@" 2>>benchmarks/explain.err || echo "{\"failed\": \"java $*\"}"; }
P() { /usr/bin/python3 "$@" 2>>benchmarks/explain.err || echo "{\"failed\": \"python3 $*\"}"; }
GRAD=cam,grad-cam,hires-cam,grad-cam-elementwise,grad-cam++,xgrad-cam,layer-cam,eigen-cam,eigen-grad-cam,full-grad,random-cam
PGC_GRAD=grad-cam,hires-cam,grad-cam-elementwise,grad-cam++,xgrad-cam,layer-cam,eigen-cam,eigen-grad-cam,full-grad,random-cam
group() {
  local out="benchmarks/explain-$1-t$T${RUN:+-$RUN}"
  case "$1" in
    r50-partial)  # Score-CAM / Ablation-CAM on ResNet-50 stopped after 32 and 128 of the 2048 channels (extrapolated in the table)
      { uptime; J resnet50 "$T" score-cam:32,score-cam:128,ablation-cam:32,ablation-cam:128 0 1; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods score-cam:32,score-cam:128,ablation-cam:32,ablation-cam:128 --warm 0 --runs 1; uptime; } > "$out-torch.jsonl"
      wait ;;
    r50-score)  # only Score-CAM's two partial runs (repeat samples of the "done when" figure)
      { uptime; J resnet50 "$T" score-cam:32,score-cam:128 0 1; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods score-cam:32,score-cam:128 --warm 0 --runs 1; uptime; } > "$out-torch.jsonl"
      wait ;;
    r50-score-full)  # one complete Score-CAM on ResNet-50 per side (needs a quiet machine: ~5 CPU minutes each)
      { uptime; J resnet50 "$T" score-cam 0 1; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods score-cam --warm 0 --runs 1; uptime; } > "$out-torch.jsonl"
      wait ;;
    mobilenet)
      { uptime; J mobilenet "$T" forward,$GRAD,lift-cam,lrp-cam,fg-cam,deeplift,group-cam,smooth-grad-cam++
        J mobilenet "$T" score-cam,ablation-cam 1 5; J mobilenet "$T" is-cam,ss-cam 0 1; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_cam_torch.py --model mobilenet --threads "$T" --methods forward,$PGC_GRAD
        P tools/bench_cam_torch.py --model mobilenet --threads "$T" --methods score-cam,ablation-cam --warm 1 --runs 5
        P tools/bench_attr_torch.py --model mobilenet --threads "$T" --methods lift-cam,deeplift; uptime; } > "$out-torch.jsonl"
      wait ;;
    r50)
      { uptime; J resnet50 "$T" forward,grad-cam,lift-cam,$GRAD,lrp-cam,fg-cam,deeplift 1 3; J resnet50 "$T" group-cam 1 2; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods forward,$PGC_GRAD --warm 1 --runs 3
        P tools/bench_attr_torch.py --model resnet50 --threads "$T" --methods lift-cam,deeplift --warm 1 --runs 3; uptime; } > "$out-torch.jsonl"
      wait ;;
    vgg)
      { uptime; J vgg16 "$T" forward,grad-cam,lift-cam,fg-cam@features.30,fg-cam,deeplift 1 3; uptime; } > "$out-java.jsonl" &
      { uptime; P tools/bench_attr_torch.py --model vgg16 --threads "$T" --methods grad-cam,lift-cam,fg-cam,deeplift --warm 1 --runs 3; uptime; } > "$out-torch.jsonl"
      wait ;;
  esac
}
for g in "${@:-r50-partial mobilenet r50 vgg}"; do group $g; done
