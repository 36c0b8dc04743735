#!/usr/bin/env bash
# Runs Candela's JMH benchmarks (src/test/java/dev/candela/bench). Arguments go to JMH, e.g.
#   tools/bench_java.sh SgemmBench
#   tools/bench_java.sh RuntimeBench -p model=resnet50 -p threads=1
# Results: JSON in target/jmh-<first arg>.json (median = p0.50 of the sample-time mode).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mkdir -p target; mvn -B -q -o -pl candela-cli -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/target/bench.cp" -Dmdep.includeScope=test >/dev/null
name="${1:-all}"
# Other users of this machine may hold JMH's lock; runs are timed with medians, so go ahead anyway.
exec java --add-modules jdk.incubator.vector -Djmh.ignoreLock=true -cp "candela-cli/target/test-classes:candela-cli/target/classes:$(cat target/bench.cp)" \
  org.openjdk.jmh.Main -rf json -rff "target/jmh-${name}.json" "$@"
