#!/usr/bin/env bash
# Issue 15's throughput table (BENCHMARKS.md, "Throughput with the Vector API on every path"): the plain CLI at 1
# and 2 threads on a folder of COPIES x the 10 Fashion test images, then tools/spark-cluster.sh on the same folder
# with the Vector API in the driver JVMs too, ROUNDS times. Prints one line per path and round.
#   tools/spark_throughput.sh [COPIES] [ROUNDS]        (defaults 4, 3; needs candela-spark packaged:
#   mvn -pl candela-spark -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=test
#   -Dmdep.outputFile=target/classpath.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES="${1:-4}"
ROUNDS="${2:-3}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
M="grad-cam,score-cam,ablation-cam,occlusion,rise(masks=500),lime-cam,lrp,integrated-gradients,smoothgrad,gradient-shap"
IMG=$(mktemp -d)
OUT=$(mktemp -d)
trap 'rm -rf "$IMG" "$OUT"' EXIT
for c in $(seq 1 "$COPIES"); do for f in testdata/images/fashion-*.png; do cp "$f" "$IMG/c$c-$(basename "$f")"; done; done
n=$(ls "$IMG" | wc -l)
for r in $(seq 1 "$ROUNDS"); do
  for t in 1 2; do
    rm -rf "$OUT/run"; t0=$(date +%s.%N)
    CANDELA_KERNELS=vector ./candela explain --model weights/fashion-vgg.cnd --method "$M" --threads "$t" --seed 0 --out "$OUT/run" "$IMG" > "$OUT/cli.log" 2>&1
    echo "round=$r cli threads=$t images=$n seconds=$(echo "$(date +%s.%N) - $t0" | bc)"
  done
  CANDELA_CLUSTER_BUILT=1 CANDELA_DRIVER_OPTS="--add-modules jdk.incubator.vector" bash tools/spark-cluster.sh "$COPIES" "$M" 2>&1 | sed "s/^/round=$r /"
done
