#!/usr/bin/env bash
# ONNX Runtime for Java against Candela's forward pass (src/bench/java/dev/candela/bench/OrtBench.java),
# built with the Maven profile "bench", the only place the ONNX Runtime jar is resolved.
#   tools/bench_ort.sh THREADS [resnet50,vgg16,efficientnet_b0,path/to/model.onnx] [warmS runS]
# ORT_JAVA_OPTS=-Dort.profile=/tmp/ort writes ONNX Runtime's per-node profile (tools/ort_profile_table.py reads it).
# Needs tools/build/{resnet50,vgg16}_224.onnx and input_224.npy (/usr/bin/python3 tools/export_bench_models.py).
set -euo pipefail
cd "$(dirname "$0")/.."
# the launcher's heap flags, transparent huge pages included where the kernel offers them
case "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" in *"[madvise]"*|*"[always]"*) THP=-XX:+UseTransparentHugePages ;; *) THP= ;; esac
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mkdir -p target; mvn -B -q -Pbench -pl candela-cli -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/target/bench-ort.cp" -Dmdep.includeScope=test >/dev/null
exec java ${ORT_JAVA_OPTS:-} --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g -XX:+UseParallelGC -XX:NewSize=64m -XX:MaxNewSize=384m ${THP:-} \
  -cp "candela-cli/target/test-classes:candela-cli/target/classes:$(cat target/bench-ort.cp)" dev.candela.bench.OrtBench "$@"
