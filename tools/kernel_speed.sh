#!/usr/bin/env bash
# Issue 12: the scalar-vs-vector speed ratio of the engine on the shipped model and the shared MobileNet.
# Alternates scalar and vector JVMs (ROUNDS each) so load changes hit both; prints each run's median.
# Needs the packaged CLI (its lib/ has every jar): ./candela --help builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25* | head -1)}
cp=$(ls candela-cli/target/lib/candela-core-*.jar candela-cli/target/lib/candela-onnx-*.jar candela-cli/target/lib/jackson-*.jar \
     candela-cli/target/lib/ejml-*.jar candela-cli/target/lib/commons-math3-*.jar candela-cli/target/lib/protobuf-java-*.jar | tr '\n' ':')
ROUNDS=${ROUNDS:-3} THREADS=${THREADS:-1}
run() { "$JAVA_HOME/bin/java" "$@" -XX:+UseParallelGC -cp "$cp" tools/KernelSpeed.java "${args[@]}" 2>&1 | grep -v 'WARNING\|notice\|Vector API is not'; }
for spec in "weights/fashion-vgg.cnd testdata/images/fashion-9-ankle-boot.png 300 200" \
            "../shared/models/mobilenet_v1_0.25_224_imagenet.onnx testdata/images/chelsea.png 300 60"; do
  read -r -a args <<<"$spec $THREADS"
  for r in $(seq "$ROUNDS"); do
    run
    run --add-modules jdk.incubator.vector
  done
done
