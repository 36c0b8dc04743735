#!/usr/bin/env bash
# The rows of issue 14's target table that compare explanations with their Python peers (BENCHMARKS.md,
# "Issue 14 targets"): each side alone on the machine (one after the other, never side by side), the same
# thread count, Java first. Output: benchmarks/targets-<group>-t<T>-{java,torch}.jsonl.
#   THREADS=2 tools/bench_targets.sh mobilenet r50 vgg r50-score
# Java runs with the launcher's heap flags. Needs tools/build/{resnet50,vgg16}_224.onnx (tools/export_bench_models.py) and the reference checkouts in
# /work/refs (pytorch-grad-cam, captum, LIFT-CAM, FG-CAM), run by path.
set -euo pipefail
cd "$(dirname "$0")/.."
# the launcher's heap flags, transparent huge pages included where the kernel offers them
case "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" in *"[madvise]"*|*"[always]"*) THP=-XX:+UseTransparentHugePages ;; *) THP= ;; esac
T="${THREADS:-1}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" PATH="/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
export OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T
mkdir -p target benchmarks
mvn -B -q -o -pl candela-cli -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/target/bench.cp" -Dmdep.includeScope=test >/dev/null
CP="candela-cli/target/test-classes:candela-cli/target/classes:$(cat target/bench.cp)"
J() { java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx6g -XX:NewSize=64m -XX:MaxNewSize=384m ${THP:-} -cp "$CP" dev.candela.bench.ExplainBench "$@" 2>>benchmarks/targets.err || echo "{\"failed\": \"java $*\"}"; }
P() { /usr/bin/python3 "$@" 2>>benchmarks/targets.err || echo "{\"failed\": \"python3 $*\"}"; }
for g in "$@"; do
  out="benchmarks/targets-$g-t$T"
  case "$g" in
    mobilenet)
      { uptime; J mobilenet "$T" forward,grad-cam,lift-cam; J mobilenet "$T" score-cam 1 5; uptime; } > "$out-java.jsonl"
      { uptime; P tools/bench_cam_torch.py --model mobilenet --threads "$T" --methods forward,grad-cam
        P tools/bench_cam_torch.py --model mobilenet --threads "$T" --methods score-cam --score-batch 32 --warm 1 --runs 5
        P tools/bench_attr_torch.py --model mobilenet --threads "$T" --methods lift-cam; uptime; } > "$out-torch.jsonl" ;;
    r50)
      { uptime; J resnet50 "$T" forward,grad-cam,lift-cam 5 15; uptime; } > "$out-java.jsonl"
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods forward,grad-cam --warm 5 --runs 15
        P tools/bench_attr_torch.py --model resnet50 --threads "$T" --methods lift-cam --warm 5 --runs 15; uptime; } > "$out-torch.jsonl" ;;
    vgg)
      { uptime; J vgg16 "$T" grad-cam,lift-cam,fg-cam@features.30 3 7; uptime; } > "$out-java.jsonl"
      { uptime; P tools/bench_attr_torch.py --model vgg16 --threads "$T" --methods grad-cam,lift-cam,fg-cam --warm 3 --runs 7; uptime; } > "$out-torch.jsonl" ;;
    r50-score)  # one complete Score-CAM (2048 masked forwards) per side, batch 32 on both
      { uptime; J resnet50 "$T" score-cam 0 1; uptime; } > "$out-java.jsonl"
      { uptime; P tools/bench_cam_torch.py --model resnet50 --threads "$T" --methods score-cam --score-batch 32 --warm 0 --runs 1; uptime; } > "$out-torch.jsonl" ;;
  esac
done
